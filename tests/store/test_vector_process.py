"""Chroma in a child process (the app's vector store): same answers as in process, a consistent
index after the child is killed mid-document, clear errors, clean shutdown."""

import threading

import numpy as np
import pytest

from assistant.child_process import ChildFailed, ChildProcess
from assistant.errors import IndexProblem
from assistant.service import Assistant
from assistant.store.vector_process import VectorStoreProcess
from assistant.store.vectors import MAX_BATCH, VectorStore
from assistant.testing import HashEmbedder
from assistant.types import SearchFilters


def _vectors(n, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 16)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_child_store_answers_like_the_in_process_store(tmp_path):
    n = MAX_BATCH * 3 + 7  # several batches, the last one short
    ids = [f"c{i}#{i}" for i in range(n)]
    metas = [{"source_id": f"s{i % 3}", "doc_type": "contract", "chunk_id": f"c{i}"} for i in range(n)]
    vectors = _vectors(n)
    remote = VectorStoreProcess(tmp_path / "remote")
    local = VectorStore(tmp_path / "local")
    try:
        for store in (remote, local):
            store.add(ids, vectors, metas)
        assert remote.count() == local.count() == n
        assert remote.count("s1") == local.count("s1") == len(range(1, n, 3))
        probe = _vectors(1, seed=7)[0]
        assert remote.query(probe, 5) == local.query(probe, 5)
        assert remote.query(probe, 4, source_ids=["s2"]) == local.query(probe, 4, source_ids=["s2"])
        assert all(source == "s2" for _, source, _ in remote.query(probe, 4, source_ids=["s2"]))
        remote.delete_source("s0")
        assert remote.count() == n - len(range(0, n, 3))
        assert remote.pid is not None
    finally:
        remote.close()
        local.close()
    assert remote.pid is None


def test_a_call_cut_short_by_a_crash_fails_and_the_next_call_restarts_the_child():
    child = ChildProcess("threading:Event", name="clausewise-test")  # `wait` blocks in the child
    try:
        assert child.call("is_set") is False
        first = child.pid
        threading.Timer(0.5, child.terminate).start()
        with pytest.raises(ChildFailed, match="stopped unexpectedly"):
            child.call("wait", 30)
        assert child.call("set") is None and child.call("is_set") is True
        assert child.pid != first
    finally:
        child.close()


def test_a_store_that_cannot_open_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the Chroma folder should be")
    store = VectorStoreProcess(blocker)
    with pytest.raises(IndexProblem, match="not-a-folder"):
        store.count()


def test_killing_the_child_mid_document_leaves_a_consistent_index(tmp_path):
    folder = tmp_path / "index"
    kept, doomed = tmp_path / "kept.txt", tmp_path / "doomed.txt"
    kept.write_text("The supplier shall keep all records for seven years. " * 40)
    doomed.write_text("Either party may terminate for convenience on ninety days notice. " * 400)
    assistant = Assistant(folder, embedder=HashEmbedder(), vector_store=VectorStoreProcess)
    assistant.ingest([kept])
    store = assistant.index.vectors

    original_add = store.add

    def add_then_die(ids, vectors, metadatas):
        assert len(ids) > MAX_BATCH
        store._call("add", list(ids[:MAX_BATCH]), np.asarray(vectors[:MAX_BATCH]), list(metadatas[:MAX_BATCH]))
        store.terminate()  # the child crashes half-way through a document...
        store._child._process.join(5)
        store._child.factory = "assistant.store.vectors:NoSuchStore"  # ...and cannot come back
        original_add(ids[MAX_BATCH:], vectors[MAX_BATCH:], metadatas[MAX_BATCH:])

    store.add = add_then_die
    with pytest.raises(IndexProblem, match="NoSuchStore"):
        assistant.ingest([doomed])
    assistant.close()

    reopened = Assistant(folder, embedder=HashEmbedder(), vector_store=VectorStoreProcess)
    try:
        assert [d.name for d in reopened.documents()] == ["kept.txt"]
        counts = reopened.index.consistency()
        assert counts["vectors"] == counts["windows"] > 0
        hits = reopened.search("records for seven years", filters=SearchFilters())
        assert hits and hits[0].chunk.text.startswith("The supplier shall keep")
    finally:
        reopened.close()
