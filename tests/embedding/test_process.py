"""The app's out-of-process embedder: same vectors as in process, errors reported, clean shutdown."""

import threading

import numpy as np
import pytest

from assistant.embedding.process import SLICE, EmbedderProcess, EmbedderUnavailable
from assistant.testing import HashEmbedder

FACTORY = "assistant.testing:HashEmbedder"


@pytest.fixture
def remote():
    embedder = EmbedderProcess(HashEmbedder().name, HashEmbedder().dimension, factory=FACTORY)
    yield embedder
    embedder.close()


def test_vectors_match_the_in_process_embedder_across_slices(remote):
    texts = [f"clause {i} the supplier shall indemnify the customer for {i} days" for i in range(SLICE * 2 + 5)]
    vectors = remote.embed_documents(texts)
    assert vectors.shape == (len(texts), 64) and vectors.dtype == np.float32
    assert np.allclose(vectors, HashEmbedder().embed_documents(texts))
    assert np.allclose(remote.embed_query("governing law"), HashEmbedder().embed_query("governing law"))
    assert remote.embed_documents([]).shape == (0, 64)
    assert remote.pid is not None


def test_two_threads_share_the_child(remote):
    results = {}

    def work(n):
        results[n] = remote.embed_documents([f"text {n} {i}" for i in range(100)])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for n in range(3):
        assert np.allclose(results[n], HashEmbedder().embed_documents([f"text {n} {i}" for i in range(100)]))


def test_a_child_that_cannot_load_is_a_clear_error():
    broken = EmbedderProcess("x", 3, factory="assistant.testing:NoSuchEmbedder")
    with pytest.raises(EmbedderUnavailable, match="could not be loaded"):
        broken.embed_query("anything")


def test_a_killed_child_is_restarted_and_close_stops_it(remote):
    remote.embed_query("start")
    first = remote.pid
    remote.terminate()
    remote._child._process.join(5)
    assert np.allclose(remote.embed_query("again"), HashEmbedder().embed_query("again"))
    assert remote.pid != first
    process = remote._child._process
    remote.close()
    assert not process.is_alive() and remote.pid is None
