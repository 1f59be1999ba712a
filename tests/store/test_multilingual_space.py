"""Documents in German or French get the multilingual embedder's vectors, in a Chroma store of
their own, recorded per document in the catalog and by name in the manifest: an index never mixes
two models' vectors in one space, an English question finds a German clause, and the fast tier's
upgrade brings a German document into the multilingual space, not MiniLM's."""

import json
import sqlite3

import numpy as np
import pytest

from assistant.errors import EmbedderMismatch
from assistant.retrieval.dense import merge_rankings
from assistant.service import Assistant
from assistant.store.catalog import FAST, FULL, MAIN, MULTILINGUAL, Catalog
from assistant.store.consistency import audit_index, open_stores
from assistant.store.index import MULTILINGUAL_FOLDER
from assistant.testing import GlossaryEmbedder, HashEmbedder
from assistant.types import IngestStatus

GERMAN = """VERTRAG ÜBER CLOUD-DIENSTE DER MUSTER GMBH

§ 1 Gegenstand
Der Anbieter stellt dem Kunden die Dienste zur Verfügung, die in der Leistungsbeschreibung genannt sind.

§ 2 Kündigung
Die Kündigung ist mit einer Frist von drei Monaten schriftlich möglich und wird zum Ende des Monats wirksam.

§ 3 Haftung
Die Haftung des Anbieters ist auf die Vergütung der letzten zwölf Monate begrenzt, soweit nicht Vorsatz vorliegt.
"""

ENGLISH = """SUPPLY AGREEMENT OF ACME LTD

1. Scope
The Supplier shall deliver the goods described in the schedule to the Buyer.

2. Insurance
The Supplier shall maintain insurance cover of five million dollars with a reputable insurer.
"""


def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "vertrag.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "supply.txt").write_text(ENGLISH, encoding="utf-8")
    return folder


def multilingual(index, fast=None, name="test/glossary-embedder") -> Assistant:
    return Assistant(index, embedder=HashEmbedder(), fast_embedder=fast,
                     multilingual_embedder=GlossaryEmbedder(name=name))


def by_name(assistant):
    return {d.name: d.source_id for d in assistant.documents()}


def test_a_german_document_goes_to_the_multilingual_space_and_an_english_one_stays(tmp_path):
    assistant = multilingual(tmp_path / "index")
    reports = assistant.ingest([corpus(tmp_path)])
    assert [r.status for r in reports] == [IngestStatus.OK] * 2
    ids, catalog, index = by_name(assistant), assistant.index.catalog, assistant.index
    assert catalog.space_of(ids["vertrag.txt"]) == MULTILINGUAL and catalog.space_of(ids["supply.txt"]) == MAIN
    german_windows = catalog.vector_count(ids["vertrag.txt"])
    english_windows = catalog.vector_count(ids["supply.txt"])
    assert index.vectors_in(MULTILINGUAL).count() == german_windows > 0
    assert index.vectors.count() == english_windows > 0
    assert index.vectors_in(MULTILINGUAL).count(ids["supply.txt"]) == 0
    assert index.vectors.count(ids["vertrag.txt"]) == 0
    # The stored vectors are the multilingual model's: equal to what it gives for the window.
    got = index.vectors_in(MULTILINGUAL)._collection.get(include=["embeddings", "metadatas"], limit=1)
    title, chunks = catalog.window_texts(ids["vertrag.txt"])
    from assistant.ingest.pipeline import document_windows

    texts, _ = document_windows(title, chunks, index.chunker.window_chars)
    window = int(got["ids"][0].rpartition("#")[2])
    assert np.allclose(got["embeddings"][0], GlossaryEmbedder().embed_documents([texts[window]])[0], atol=1e-5)
    counts = index.consistency()
    assert counts["vectors"] == counts["windows"] == german_windows + english_windows
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert (manifest["multilingual_embedder"], manifest["multilingual_dimension"]) == ("test/glossary-embedder", 64)
    folder = tmp_path / "index"
    assistant.close()
    with open_stores(folder) as (catalog, vectors):
        found = audit_index(folder, catalog, vectors, "test/hash-embedder", 64)
    assert found.consistent and found.vectors == german_windows + english_windows


def test_an_english_question_finds_the_german_clause_by_its_meaning(tmp_path):
    assistant = multilingual(tmp_path / "index")
    assistant.ingest([corpus(tmp_path)])
    hits = assistant.search("What notice period applies to termination?", k=3)
    assert hits[0].doc_name == "vertrag.txt" and "Kündigung" in hits[0].text
    assert hits[0].dense_rank == 1 and hits[0].lexical_rank is None  # no shared word: found by meaning
    # Without the multilingual space the same question has nothing to go on in German.
    plain = Assistant(tmp_path / "plain", embedder=HashEmbedder())
    plain.ingest([tmp_path / "docs"])
    assert plain.index.catalog.space_of(by_name(plain)["vertrag.txt"]) == MAIN
    german = by_name(plain)["vertrag.txt"]
    question = "What notice period applies to termination?"
    [(_, _, plain_distance)] = plain.index.vectors.query(HashEmbedder().embed_query(question), 1, [german])
    assert hits[0].dense_distance < plain_distance - 0.1
    assistant.close()
    plain.close()


def test_an_index_refuses_another_multilingual_model_and_opens_without_one(tmp_path):
    assistant = multilingual(tmp_path / "index")
    assistant.ingest([corpus(tmp_path)])
    assistant.close()
    other = multilingual(tmp_path / "index", name="test/another-multilingual-model")
    with pytest.raises(EmbedderMismatch, match="German and French documents"):
        other.documents()
    # Without a multilingual model the index still opens: its German document is found by BM25.
    bare = Assistant(tmp_path / "index", embedder=HashEmbedder())
    hits = bare.search("Kündigung Frist", k=2)
    assert hits and hits[0].doc_name == "vertrag.txt" and hits[0].dense_rank is None
    bare.close()


def test_removing_a_german_document_removes_its_multilingual_vectors(tmp_path):
    assistant = multilingual(tmp_path / "index")
    assistant.ingest([corpus(tmp_path)])
    assistant.remove("vertrag.txt")
    assert assistant.index.vectors_in(MULTILINGUAL).count() == 0
    assert assistant.index.vectors.count() > 0
    counts = assistant.index.consistency()
    assert counts["vectors"] == counts["windows"]
    assistant.close()


def test_the_upgrade_brings_a_german_document_into_the_multilingual_space(tmp_path):
    fast = HashEmbedder(dimension=32, name="test/fast-hash")
    assistant = multilingual(tmp_path / "index", fast=fast)
    assistant.ingest([corpus(tmp_path)])
    ids, index = by_name(assistant), assistant.index
    assert {index.catalog.tier_of(s) for s in ids.values()} == {FAST}
    assert index.catalog.space_of(ids["vertrag.txt"]) == MULTILINGUAL
    assert index.vectors_in(MULTILINGUAL) is None  # nothing there until the upgrade
    result = assistant.upgrade()
    assert result.upgraded == 2 and result.remaining == 0
    assert {index.catalog.tier_of(s) for s in ids.values()} == {FULL}
    assert index.vectors_in(MULTILINGUAL).count() == index.catalog.vector_count(ids["vertrag.txt"])
    assert index.vectors.count() == index.catalog.vector_count(ids["supply.txt"])
    # The same vectors as a direct ingest with the multilingual model.
    direct = multilingual(tmp_path / "direct")
    direct.ingest([tmp_path / "docs"])

    def stored(a):
        got = a.index.vectors_in(MULTILINGUAL)._collection.get(include=["embeddings"])
        return dict(zip(got["ids"], np.asarray(got["embeddings"])))

    upgraded, reference = stored(assistant), stored(direct)
    assert upgraded.keys() == reference.keys()
    assert all(np.allclose(upgraded[k], reference[k], atol=1e-5) for k in reference)
    assert assistant.search("What notice period applies to termination?", k=1)[0].doc_name == "vertrag.txt"
    assistant.close()
    direct.close()


def test_an_upgrade_without_a_multilingual_model_records_minilms_space(tmp_path):
    fast = HashEmbedder(dimension=32, name="test/fast-hash")
    first = multilingual(tmp_path / "index", fast=fast)
    first.ingest([corpus(tmp_path)])
    german = by_name(first)["vertrag.txt"]
    first.close()
    later = Assistant(tmp_path / "index", embedder=HashEmbedder(), fast_embedder=fast)
    later.upgrade()
    assert later.index.catalog.space_of(german) == MAIN and later.index.catalog.tier_of(german) == FULL
    assert later.index.vectors.count(german) == later.index.catalog.vector_count(german)
    assert not (tmp_path / "index" / MULTILINGUAL_FOLDER).exists()
    later.close()


def test_a_catalog_from_before_vector_spaces_opens_with_every_document_in_minilms(tmp_path):
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder())
    assistant.ingest([corpus(tmp_path)])
    assistant.close()
    db = sqlite3.connect(tmp_path / "index" / "catalog.sqlite")
    db.execute("ALTER TABLE documents DROP COLUMN space")
    db.commit()
    db.close()
    catalog = Catalog(tmp_path / "index" / "catalog.sqlite")
    assert {catalog.space_of(d.source_id) for d in catalog.documents()} == {MAIN}
    catalog.close()
    reopened = multilingual(tmp_path / "index")  # the manifest records the model from now on
    assert reopened.search("insurance cover", k=1)[0].doc_name == "supply.txt"
    assert reopened.index.manifest.multilingual_embedder == "test/glossary-embedder"
    reopened.close()


def test_merged_rankings_place_each_hit_by_its_estimated_rank_among_all_windows():
    main = [("m1", "a", 0.1), ("m2", "a", 0.2)]
    other = [("g1", "b", 0.3), ("m2", "a", 0.05)]
    fast = [("f1", "c", 0.2)]
    # 900 main windows, 100 multilingual, 0 fast hits counted: g1 is 1st of 100 -> place 10.
    merged = merge_rankings([(main, 900), (other, 100), ([], 50)], k=5)
    assert [h[0] for h in merged] == ["m1", "m2", "g1"]
    assert merge_rankings([(main, 10), (other, 10), (fast, 10)], k=2) == [("m1", "a", 0.1), ("g1", "b", 0.3)]
    assert merge_rankings([([], 5)], k=3) == []
