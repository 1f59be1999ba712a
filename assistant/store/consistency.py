"""A read-only look at an index folder: what built it, how many documents it holds, and whether
Chroma holds exactly the vectors the catalog lists (`clausewise doctor`).

Nothing is created, migrated or recovered here, and no embedder is loaded: opening an `Index`
would create a missing manifest and purge half-indexed documents, and a report must not change
what it reports on. Vector ids are `<chunk id>#<window number>` (see `Index.add_document`), and the
catalog records how many windows each document has, so both directions can be counted. A
document not yet upgraded has its windows' fast vectors in the catalog instead, and those are
counted there; while one is being upgraded, its vectors in Chroma are work in progress.
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from assistant.store.catalog import UPGRADING, Catalog
from assistant.store.encryption import PASSPHRASE_ENV, is_encrypted, unlock
from assistant.store.index import MULTILINGUAL_FOLDER
from assistant.store.manifest import MANIFEST_NAME, SCHEMA_VERSION, Manifest
from assistant.store.vectors import VectorStore

CATALOG_NAME = "catalog.sqlite"
CHROMA_FOLDER = "chroma"


@dataclass(frozen=True)
class IndexAudit:
    folder: Path
    is_index: bool  # False: an empty collection, nothing indexed yet
    manifest_problem: str  # a damaged manifest, another format version, another embedder
    documents: int  # complete documents
    passages: int  # their chunks
    unfinished: int  # pending or removing: cleaned up the next time the index opens
    expected_vectors: int  # the windows the catalog lists for complete documents
    vectors: int  # what Chroma holds
    missing_vectors: int  # listed by the catalog, absent from Chroma
    unknown_vectors: int  # in Chroma, belonging to no document the catalog lists
    affected: tuple[str, ...]  # names of the documents with missing vectors
    fast_documents: int = 0  # of `documents`, searched by fast vectors until their upgrade

    @property
    def consistent(self) -> bool:
        return self.missing_vectors == 0 and self.unknown_vectors == 0


@contextmanager
def open_stores(folder: Path, vector_store: Callable[[Path], object] = VectorStore) -> Iterator[tuple]:
    """(catalog, vectors) of an index folder as they are; either is None where it does not exist
    yet, so looking never creates one. Both are closed afterwards. An encrypted index opens with
    the passphrase in CLAUSEWISE_PASSPHRASE (else PassphraseRequired: a report never prompts)."""
    folder = Path(folder)
    key = None
    if is_encrypted(folder):
        key = unlock(folder, os.environ.get(PASSPHRASE_ENV)).for_purpose("catalog")
    catalog = Catalog(folder / CATALOG_NAME, key) if (folder / CATALOG_NAME).is_file() else None
    vectors = None
    try:
        stores = [vector_store(folder / name) for name in (CHROMA_FOLDER, MULTILINGUAL_FOLDER) if (folder / name).is_dir()]
        if stores:
            vectors = stores[0] if len(stores) == 1 else _BothSpaces(stores)
        yield catalog, vectors
    finally:
        if vectors is not None:
            vectors.close()
        if catalog is not None:
            catalog.close()


class _BothSpaces:
    """MiniLM's store and the multilingual one read as one: their vector ids never collide (each
    document's windows are in one space only), so the audit counts them together."""

    def __init__(self, stores):
        self.stores = stores

    def ids(self) -> list[tuple[str, str]]:
        return [pair for store in self.stores for pair in store.ids()]

    def close(self):
        for store in self.stores:
            store.close()


def read_manifest_problem(folder: Path, embedder: str, dimension: int) -> str:
    """Empty when the manifest is readable, current, and pins this embedder; else why not, in
    the words the app would use when opening the index."""
    path = Path(folder) / MANIFEST_NAME
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its manifest is damaged ({exc})"
    if manifest.schema_version != SCHEMA_VERSION:
        return f"it uses index format version {manifest.schema_version}; this Clausewise reads version {SCHEMA_VERSION}"
    if (manifest.embedder, manifest.dimension) != (embedder, dimension):
        return (f"it was built with the embedding model '{manifest.embedder}' ({manifest.dimension} dimensions), "
                f"not the current '{embedder}' ({dimension} dimensions)")
    return ""


def audit_index(folder: Path, catalog: Catalog | None, vectors, embedder: str, dimension: int) -> IndexAudit:
    """Compare the catalog's documents and chunks with the vector ids in Chroma."""
    folder = Path(folder)
    is_index = (folder / MANIFEST_NAME).exists() or catalog is not None
    manifest_problem = read_manifest_problem(folder, embedder, dimension) if is_index else ""
    if catalog is not None:
        # Catalog first, then Chroma: a document completing in between is then counted as
        # unfinished rather than as missing vectors.
        expected = catalog.expected_vectors()
        chunk_source = catalog.chunk_sources()
        unfinished = {source_id for source_id, _status in catalog.incomplete()}
        fast = catalog.fast_audit()
        names = {d.source_id: d.name for d in catalog.documents()}
    else:
        expected, chunk_source, unfinished, fast, names = {}, {}, set(), [], {}
    upgrading = {source_id for source_id, tier, *_ in fast if tier == UPGRADING}
    stored = vectors.ids() if vectors is not None else []

    present: Counter[str] = Counter()  # vectors per complete document
    chunks_with_vectors: set[str] = set()
    unknown = 0
    for vector_id, source_id in stored:
        chunk_id = vector_id.rpartition("#")[0] or vector_id
        owner = chunk_source.get(chunk_id)
        if owner is not None:
            present[owner] += 1
            chunks_with_vectors.add(chunk_id)
        elif source_id not in unfinished and source_id not in upgrading:
            unknown += 1
    bare_chunks = Counter(chunk_source[c] for c in chunk_source.keys() - chunks_with_vectors)
    missing, affected = 0, []
    for source_id, windows in expected.items():
        # A chunk with no vector at all is missing even if the count happens to add up.
        short = max(windows - present[source_id], bare_chunks[source_id])
        unknown += max(present[source_id] - windows, 0)
        if short:
            missing += short
            affected.append(names.get(source_id, source_id[:12]))
    for source_id, _tier, windows, held, _chunks in fast:
        if held != windows:
            missing += max(windows - held, 0)
            unknown += max(held - windows, 0)
            affected.append(names.get(source_id, source_id[:12]))
    return IndexAudit(
        folder=folder, is_index=is_index, manifest_problem=manifest_problem, documents=len(expected) + len(fast),
        passages=len(chunk_source) + sum(row[4] for row in fast), unfinished=len(unfinished),
        expected_vectors=sum(expected.values()) + sum(row[2] for row in fast),
        vectors=len(stored) + sum(row[3] for row in fast), missing_vectors=missing, unknown_vectors=unknown,
        affected=tuple(sorted(affected)), fast_documents=len(fast),
    )

