"""The fast embedder, distilled here from the packaged MiniLM: made again it gives the same
vectors, it passes its own verification, a broken model does not, and it agrees with MiniLM
on which clause answers which question."""

import numpy as np
import pytest

from assistant.embedding import static
from assistant.embedding.static import PROBES, StaticEmbedder, StaticModelUnavailable

TEXTS = ["This Agreement is governed by the laws of Delaware.", "Invoices are payable within 30 days.", ""]


@pytest.fixture(scope="module")
def distilled():
    minilm = static._minilm()
    return minilm, static.distil_weights(minilm)


def test_the_installed_model_and_a_fresh_distillation_give_the_same_vectors(distilled):
    minilm, weights = distilled
    fresh = static.build_model(minilm, weights).encode(TEXTS, normalize_embeddings=True)
    installed = StaticEmbedder()  # the one `clausewise models prepare` made at set-up
    vectors = installed.embed_documents(TEXTS)
    assert vectors.shape == (3, static.DIMENSION) and vectors.dtype == np.float32
    assert float(np.max(np.abs(vectors - fresh))) < 1e-4
    assert np.allclose(installed.embed_query(TEXTS[0]), vectors[0], atol=1e-6)
    assert installed.embed_documents([]).shape == (0, static.DIMENSION)


def test_verification_passes_the_distilled_model_and_refuses_broken_ones(distilled):
    minilm, weights = distilled
    static.verify(static.build_model(minilm, weights))
    shuffled = np.random.default_rng(0).permutation(weights)  # every word piece gets another's vector
    with pytest.raises(StaticModelUnavailable, match="probe"):
        static.verify(static.build_model(minilm, shuffled))
    with pytest.raises(StaticModelUnavailable, match="shape"):
        static.verify(static.build_model(minilm, weights[:, :128]))


def test_it_ranks_each_probe_clause_first_for_its_question_as_minilm_does(minilm):
    fast = StaticEmbedder()
    clauses = [c for c, _ in PROBES]
    questions = [q for _, q in PROBES]
    agree = 0
    for embedder in (fast, minilm):
        c, q = embedder.embed_documents(clauses), embedder.embed_documents(questions)
        agree += int(np.sum(np.argmax(q @ c.T, axis=1) == np.arange(len(PROBES))))
    assert agree >= 2 * len(PROBES) - 2


def test_prepare_writes_a_whole_model_or_none(tmp_path, distilled, monkeypatch):
    minilm, weights = distilled
    monkeypatch.setattr(static, "_minilm", lambda: minilm)
    monkeypatch.setattr(static, "distil_weights", lambda _m: weights)
    folder = static.prepare(tmp_path / "static")
    assert (folder / "modules.json").exists()
    assert not list(tmp_path.glob("*.partial-*"))
    assert np.allclose(StaticEmbedder(folder).embed_query(TEXTS[1]), StaticEmbedder().embed_query(TEXTS[1]), atol=1e-4)
    assert static.prepare(folder) == folder  # already there: kept, not made again


def test_the_apps_fast_embedder_process_gives_the_in_process_vectors():
    from assistant.embedding.process import EmbedderProcess

    child = EmbedderProcess.for_static()
    try:
        texts = TEXTS * 400  # more than one slice
        far = child.embed_documents(texts)
        assert far.shape == (1200, static.DIMENSION)
        assert float(np.max(np.abs(far - StaticEmbedder().embed_documents(texts)))) < 1e-5
        assert child.pid is not None
    finally:
        child.close()
