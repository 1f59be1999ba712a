import json

import pytest

from assistant.errors import EmbedderMismatch, IndexSchemaMismatch
from assistant.settings import ChunkerSettings
from assistant.service import Assistant
from assistant.store.catalog import fts_query
from assistant.testing import HashEmbedder


def test_manifest_pins_embedder_dimension_and_chunker(tmp_path):
    a = Assistant(tmp_path / "idx", embedder=HashEmbedder(dimension=64), chunker=ChunkerSettings(max_chars=700, min_chars=200))
    a.index
    a.close()
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["embedder"] == "test/hash-embedder"
    assert manifest["dimension"] == 64
    assert manifest["chunker"] == {"max_chars": 700, "min_chars": 200, "window_chars": 400, "version": 2}
    # reopening with other chunker settings keeps the index's own
    b = Assistant(tmp_path / "idx", embedder=HashEmbedder(dimension=64))
    assert b.index.chunker.max_chars == 700
    b.close()


def test_opening_with_another_embedder_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "doc.txt").write_text("1. TERM\nOne year.\n")
    a = Assistant(tmp_path / "idx", embedder=HashEmbedder(dimension=64))
    a.ingest([tmp_path / "doc.txt"])
    a.close()
    with pytest.raises(EmbedderMismatch, match="built with the embedding model 'test/hash-embedder' \\(64 dimensions\\)"):
        Assistant(tmp_path / "idx", embedder=HashEmbedder(dimension=32, name="other/model")).index
    with pytest.raises(EmbedderMismatch, match="re-index"):
        Assistant(tmp_path / "idx", embedder=HashEmbedder(dimension=64, name="other/model")).index


def test_damaged_or_future_manifest_is_refused(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(IndexSchemaMismatch, match="damaged manifest"):
        Assistant(folder, embedder=HashEmbedder()).index
    (folder / "manifest.json").write_text(json.dumps(
        {"schema_version": 99, "embedder": "test/hash-embedder", "dimension": 64,
         "chunker": {"max_chars": 900, "min_chars": 300, "window_chars": 400, "version": 2}}))
    with pytest.raises(IndexSchemaMismatch, match="version 99"):
        Assistant(folder, embedder=HashEmbedder()).index


def test_fts_query_quotes_content_words_and_drops_stopwords():
    assert fts_query("What is the cap on liability under clause 12.3?") == '"cap" OR "liability" OR "clause" OR "12" OR "3"'
    assert fts_query("what is the") == ""
    # FTS5 operators and punctuation in the question stay inert inside quotes; single letters carry nothing
    assert fts_query('He said "AND" NOT (x) OR y*') == '"he" OR "said" OR "not"'


def test_vectors_are_written_in_batches_under_chromas_limit(assistant, tmp_path, monkeypatch):
    from assistant.store import vectors

    monkeypatch.setattr(vectors, "MAX_BATCH", 7)
    store = assistant.index.vectors
    store._batch = 7
    sizes = []
    original = store._collection.add
    monkeypatch.setattr(store._collection, "add", lambda **kw: (sizes.append(len(kw["ids"])), original(**kw))[1])
    text = "\n".join(f"{i}. CLAUSE {i}\n" + f"Obligation {i} applies to every delivery of the goods. " * 8 for i in range(1, 21))
    (tmp_path / "long.txt").write_text(text)
    report = assistant.ingest([tmp_path / "long.txt"])[0]
    windows = assistant.index.consistency()["windows"]
    assert windows == sum(sizes) and windows > 7 and windows >= report.chunks
    assert max(sizes) <= 7
    assert assistant.index.vectors.count() == windows


def test_processes_creating_one_new_index_at_once_all_open_it(tmp_path):
    """Two ingests into the same new index (the app and a script): the manifest is created once,
    and every other process reads it instead of crashing on a shared temporary file."""
    import json
    import subprocess
    import sys

    folder = tmp_path / "new-index"
    code = ("import sys; from assistant.settings import ChunkerSettings; from assistant.store.manifest import load_or_create;"
            "m = load_or_create(__import__('pathlib').Path(sys.argv[1]), 'minilm', 384, ChunkerSettings()); print(m.embedder)")
    folder.mkdir()
    runs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(6)]
    results = [run.communicate(timeout=60) for run in runs]
    assert [r.returncode for r in runs] == [0] * 6, [err for _, err in results]
    assert [out.strip() for out, _ in results] == ["minilm"] * 6
    assert json.loads((folder / "manifest.json").read_text())["embedder"] == "minilm"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json"]  # no temporary file left


def test_searching_within_documents_ranks_as_the_whole_collection_does(assistant, tmp_path):
    """In-document BM25 narrows the rows before scoring; its results are the collection-wide
    ranking with the other documents left out, scores included."""
    for n, (law, term) in enumerate([("Ireland", "three"), ("Sweden", "five"), ("Ireland", "two"), ("France", "one")]):
        (tmp_path / f"c{n}.txt").write_text(
            f"1. LAW\nThe laws of {law} govern this agreement.\n2. TERM\nThe term is {term} years from signature.\n"
            f"3. NOTICE\nNotices of termination are given in writing, {term} months ahead.\n")
    assistant.ingest(sorted(tmp_path.glob("c*.txt")))
    catalog = assistant.index.catalog
    docs = {d.name: d.source_id for d in assistant.documents()}
    scope = [docs["c0.txt"], docs["c2.txt"]]
    for question in ("Which laws govern the agreement?", "termination notice in writing", "term years"):
        everywhere = catalog.lexical_search(question, 50)
        within = catalog.lexical_search(question, 50, source_ids=scope)
        assert within and within == [row for row in everywhere if row[1] in scope]
        assert catalog.chunk_frequency("laws", scope) == 2 and catalog.chunk_frequency("laws") == 4
