"""One line per index: its documents, and whether Chroma and the catalog agree (see
`assistant.store.consistency`). An index that cannot be read becomes a problem in the report, never a
crash of it."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Iterator, Mapping

from assistant.doctor.report import Check, ok, problem
from assistant.errors import PassphraseProblem, PassphraseRequired
from assistant.store.consistency import IndexAudit, audit_index, open_stores
from assistant.text import normalise_space

SECTION = "Indexes"

Stores = Callable[[Path], ContextManager[tuple]]  # folder -> (catalog | None, vectors | None)


@dataclass(frozen=True)
class NamedIndex:
    name: str  # a collection's name, or the folder the user named
    folder: Path
    must_exist: bool = False  # named explicitly (--index): a missing folder is then a problem


def stores_reusing(opened: Mapping[Path, object], vector_store: Callable[[Path], object]) -> Stores:
    """Stores for the app: an index it has open already is read through its own catalog and
    vector store (a second Chroma client on a folder being written is best avoided); any other
    folder is opened with `vector_store` and closed again."""

    by_folder = {Path(folder).resolve(): index for folder, index in opened.items()}

    @contextmanager
    def stores(folder: Path) -> Iterator[tuple]:
        index = by_folder.get(Path(folder).resolve())
        if index is not None:
            yield index.catalog, index.vectors
        else:
            with open_stores(folder, vector_store) as pair:
                yield pair

    return stores


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def reindex_advice(folder: Path) -> str:
    return (f"re-index the affected documents: in the app select them and choose Re-index, or run "
            f"clausewise --index {folder} remove DOC, then ingest the file again")


def describe(name: str, audit: IndexAudit) -> Check:
    folder = audit.folder
    counts = (f"{plural(audit.documents, 'document')}, {plural(audit.passages, 'passage')}, "
              f"{plural(audit.vectors, 'vector')}")
    if audit.manifest_problem:
        return problem(SECTION, name, f"{counts}; cannot be searched: {audit.manifest_problem} ({folder})",
                       "re-index its documents into a new collection, or switch back to the model that built it")
    if not audit.consistent:
        issues = []
        if audit.missing_vectors:
            affected = ", ".join(audit.affected[:3]) + (" and others" if len(audit.affected) > 3 else "")
            issues.append(f"{plural(audit.missing_vectors, 'vector id')} missing from Chroma (in {affected})")
        if audit.unknown_vectors:
            issues.append(f"{plural(audit.unknown_vectors, 'vector id')} in Chroma that the catalog does not list")
        return problem(SECTION, name, f"{counts}; inconsistent: {'; '.join(issues)} ({folder})",
                       reindex_advice(folder) if audit.missing_vectors else
                       "searches skip such vectors, so answers are unaffected; to drop them, re-index the "
                       "documents into a new collection")
    unfinished = (f"; {plural(audit.unfinished, 'half-indexed document')}, cleaned up when it next opens"
                  if audit.unfinished else "")
    fast = (f"; {plural(audit.fast_documents, 'document')} on fast vectors until the upgrade "
            "(the app runs it in the background, or: clausewise upgrade)" if audit.fast_documents else "")
    return ok(SECTION, name, f"{counts}: consistent{unfinished}{fast} ({folder})")


def index_check(entry: NamedIndex, embedder: str, dimension: int, stores: Stores = open_stores) -> Check:
    name = f"Index “{entry.name}”"
    folder = Path(entry.folder)
    if not folder.is_dir():
        if entry.must_exist:
            return problem(SECTION, name, f"{folder} is not a folder",
                           f"check the path, or create the index: clausewise --index {folder} ingest PATH")
        return ok(SECTION, name, f"not created yet: 0 documents ({folder})")
    try:
        with stores(folder) as (catalog, vectors):
            audit = audit_index(folder, catalog, vectors, embedder, dimension)
    except PassphraseRequired:
        return ok(SECTION, name, f"encrypted and locked: its contents are checked when CLAUSEWISE_PASSPHRASE "
                                 f"holds its passphrase ({folder})")
    except PassphraseProblem as exc:
        return problem(SECTION, name, f"{exc.message}", "set CLAUSEWISE_PASSPHRASE to the collection's passphrase")
    except Exception as exc:  # noqa: BLE001 - SQLite's and Chroma's errors vary; the report names them
        reason = normalise_space(str(exc))[:300]
        return problem(SECTION, name, f"cannot be read ({type(exc).__name__}: {reason}) ({folder})",
                       "restore the folder from a backup, or re-index the documents into a new collection")
    if not audit.is_index:
        return ok(SECTION, name, f"empty: 0 documents ({folder})")
    return describe(name, audit)


def index_checks(indexes: tuple[NamedIndex, ...], embedder: str, dimension: int,
                 stores: Stores = open_stores) -> list[Check]:
    if not indexes:
        return [ok(SECTION, "Indexes", "none yet")]
    return [index_check(entry, embedder, dimension, stores) for entry in indexes]
