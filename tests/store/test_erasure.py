"""Erasure that leaves nothing: after a document is removed (or replaced by a new version), none
of its text is in any file under the index, plain or encrypted, with the index still open or
closed: not in the catalog's free pages, its FTS5 index or its write-ahead log, not in the review
cache, not in Chroma. A deleted collection leaves no folder."""

import pytest

from assistant.collections import Collections
from assistant.service import Assistant
from assistant.store.encryption import create_keyring
from assistant.testing import HashEmbedder
from assistant.types import Cell, Quote

PASSPHRASE = "erase-me-properly"
# The removed document's words, whole and as FTS5's porter stemmer stores them.
GONE = [b"zanzibarite", b"zanzibarit", b"quinceberry", b"quinceberri", b"marmaladine", b"marmaladin"]
KEPT = [b"renewal", b"Stockholm"]


class _Checklist:
    id, version, fingerprint = "key-terms", 1, "f"


def every_byte_under(folder):
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def two_documents(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "removed.txt").write_text(
        "1. PRICING\nThe zanzibarite surcharge applies to every quinceberry delivery.\n"
        "2. PACKING\nGoods travel in marmaladine crates.\n" * 8, encoding="utf-8")
    (docs / "kept.txt").write_text("1. TERM\nThe renewal is automatic.\n2. LAW\nCourts of Stockholm decide.\n" * 8,
                                   encoding="utf-8")
    return docs


def quoted_cell(assistant, name, quote):
    doc = next(d for d in assistant.documents() if d.name == name)
    assistant.index.review_cache.put(Cell(doc.source_id, doc.name, "pricing", "found", quote,
                                          (Quote(1, quote, 0, len(quote), True),)), _Checklist(), "model")


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("still_open", [True, False], ids=["open", "closed"])
def test_a_removed_document_leaves_none_of_its_text_under_the_index(tmp_path, encrypted, still_open):
    docs = two_documents(tmp_path)
    folder = tmp_path / "idx"
    if encrypted:
        create_keyring(folder, PASSPHRASE)
    a = Assistant(folder, embedder=HashEmbedder())
    if encrypted:
        a.unlock(PASSPHRASE)
    a.ingest([docs])
    quoted_cell(a, "removed.txt", "The zanzibarite surcharge applies to every quinceberry delivery.")
    quoted_cell(a, "kept.txt", "The renewal is automatic.")
    if not encrypted:
        assert all(word in every_byte_under(folder) for word in GONE)  # the check below can fail
    a.remove("removed.txt")
    if not still_open:
        a.close()
    data = every_byte_under(folder)
    for word in GONE:
        assert word not in data, word
    if not encrypted:
        assert all(word in data for word in KEPT)  # the other document is untouched
    reopened = a if still_open else Assistant(folder, embedder=HashEmbedder())
    if encrypted and not still_open:
        reopened.unlock(PASSPHRASE)
    assert [d.name for d in reopened.documents()] == ["kept.txt"]
    assert reopened.search("renewal automatic")[0].doc_name == "kept.txt"
    assert reopened.search("zanzibarite quinceberry")[0].doc_name == "kept.txt"  # nothing of it left to find
    reopened.close()


def test_a_replaced_version_leaves_none_of_its_text(tmp_path):
    docs = two_documents(tmp_path)
    a = Assistant(tmp_path / "idx", embedder=HashEmbedder())
    a.ingest([docs])
    quoted_cell(a, "removed.txt", "The zanzibarite surcharge applies.")
    (docs / "removed.txt").write_text("1. PRICING\nPrices follow the published list.\n" * 8, encoding="utf-8")
    assert {r.status.value for r in a.ingest([docs])} == {"ok", "skipped"}
    a.close()
    data = every_byte_under(tmp_path / "idx")
    for word in GONE:
        assert word not in data, word
    assert b"published" in data


def test_deleting_a_collection_removes_its_folder(tmp_path):
    collections = Collections(tmp_path / "home")
    made = collections.create("Suppliers", passphrase=PASSPHRASE)
    a = Assistant(made.folder, embedder=HashEmbedder())
    a.unlock(PASSPHRASE)
    a.ingest([two_documents(tmp_path)])
    a.close()
    collections.delete("Suppliers")
    assert not made.folder.exists()
    assert [c.name for c in collections.list()] == ["My documents"]
    for word in GONE:
        assert word not in every_byte_under(tmp_path / "home")
