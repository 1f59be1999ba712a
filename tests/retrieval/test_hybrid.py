import pytest

from assistant.errors import DocumentNotFound
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.types import SearchFilters
from tests.docmaker import CONTRACT_PAGES, write_pdf


def test_rrf_sums_reciprocal_ranks_with_constant_60():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]]))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    order = [item for item, _ in reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]])]
    assert order[0] == "b"  # agreement beats one ranker's first place
    assert order == ["b", "a", "d", "c"]


def test_a_low_fusion_constant_lets_two_first_places_beat_middling_agreement():
    # "x" is first in both in-document rankings; "y" is eighth in all four rankings.
    rankings = [[f"{r}{i}" for i in range(7)] + ["y"] for r in "abc"] + [["x"] + [f"d{i}" for i in range(6)] + ["y"]]
    rankings[2] = ["x"] + rankings[2][1:]
    assert [item for item, _ in reciprocal_rank_fusion(rankings, k=60)][0] == "y"
    assert [item for item, _ in reciprocal_rank_fusion(rankings, k=5)][0] == "x"


def test_the_retriever_fuses_with_the_settings_constant():
    from assistant.settings import RetrievalSettings
    assert RetrievalSettings().fusion_k == 5


def test_rrf_weights_and_validation():
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=0, weights=[2.0, 1.0]))
    assert fused == {"a": 2.0, "b": 1.0}
    with pytest.raises(ValueError, match="k must be >= 0, got -1"):
        reciprocal_rank_fusion([["a"]], k=-1)
    with pytest.raises(ValueError, match="1 weights for 2 rankings"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


@pytest.fixture
def library(assistant, tmp_path):
    write_pdf(tmp_path / "msa.pdf", CONTRACT_PAGES)
    (tmp_path / "dpa.txt").write_text(
        "DATA PROCESSING ADDENDUM\nArticle 4 Breaches\nThe processor notifies the controller within 48 hours.\n"
        "Article 5 Sub-processors\nNo sub-processor without prior written authorisation.\n"
    )
    (tmp_path / "policy.md").write_text("# Gifts\nSuppliers may not offer gifts above 50 EUR.\n")
    assistant.ingest([tmp_path / "msa.pdf", tmp_path / "dpa.txt", tmp_path / "policy.md"])
    return assistant


def test_hits_carry_document_page_span_heading_and_scores(library):
    hits = library.search("governing law New York", k=3)
    top = hits[0]
    assert top.doc_name == "msa.pdf" and top.page == 2
    assert "State of New York" in top.text
    page = library.index.catalog.page(top.chunk.source_id, top.page)
    assert page.text[top.chunk.start:top.chunk.end] == top.text
    assert top.chunk.heading.startswith(("3. LIMITATION", "4. GOVERNING"))
    assert top.lexical_rank == 1 and top.dense_rank is not None and top.score > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_exact_clause_terms_are_found_by_the_lexical_ranker(library):
    hits = library.search("48 hours", k=5)
    assert "48 hours" in hits[0].text and hits[0].doc_name == "dpa.txt"


def test_filters_by_document_and_by_type(library):
    only_dpa = library.search("written", k=10, filters=SearchFilters(documents=("dpa.txt",)))
    assert only_dpa and {h.doc_name for h in only_dpa} == {"dpa.txt"}
    only_pdf = library.search("processor notifies within 48 hours", k=10, filters=SearchFilters(doc_types=("PDF",)))
    assert only_pdf and {h.doc_name for h in only_pdf} == {"msa.pdf"}
    none = library.search("gifts", k=10, filters=SearchFilters(documents=("policy.md",), doc_types=("pdf",)))
    assert none == []
    with pytest.raises(DocumentNotFound, match="No indexed document is called 'nope.pdf'"):
        library.search("x", filters=SearchFilters(documents=("nope.pdf",)))


def test_focus_query_drops_words_that_only_identify_the_document(library):
    from assistant.retrieval.hybrid import HybridRetriever

    retriever = HybridRetriever(library.index, library.embedder)
    msa = next(d for d in library.documents() if d.name == "msa.pdf")
    focus = retriever.focus_query("Which law governs the Acme / Globex master supply agreement?", msa.source_id)
    assert focus == "law governs"


def test_search_on_an_empty_index_returns_nothing(assistant):
    assert assistant.search("anything at all", k=5) == []
    with pytest.raises(ValueError, match="k must be positive, got 0"):
        assistant.search("x", k=0)


def test_a_legislative_acts_articles_come_before_its_recitals(assistant, tmp_path):
    """The recital repeats the question's words more often and scores higher, but the binding
    article is what a compliance officer cites: among the best hits it comes first."""
    from assistant.retrieval.operative import articles_start, is_recital

    recital = ("(85) A personal data breach should be notified to the supervisory authority: the breach "
               "notification to the supervisory authority within 72 hours protects the data subjects. ") * 12
    (tmp_path / "regulation.txt").write_text(
        "REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL\n\nWhereas:\n\n" + recital +
        "\n\nHAVE ADOPTED THIS REGULATION:\n\nArticle 33\nNotification of a personal data breach\n"
        "The controller shall notify the personal data breach to the supervisory authority within 72 hours.\n")
    (tmp_path / "contract.txt").write_text("SUPPLY AGREEMENT\nWhereas the parties wish to agree.\nNOW, THEREFORE, the "
                                           "supplier shall notify a breach within 72 hours.\n")
    assistant.ingest([tmp_path / "regulation.txt", tmp_path / "contract.txt"])
    index = assistant.index
    hits = assistant.search("breach notification to the supervisory authority within 72 hours", k=10,
                            filters=SearchFilters(documents=("regulation.txt",)))
    assert len(hits) >= 2 and any(is_recital(index, h) for h in hits)
    assert "Article 33" in hits[0].text or "shall notify" in hits[0].text
    assert not is_recital(index, hits[0])
    assert max(h.score for h in hits if is_recital(index, h)) > hits[0].score  # the recital scored higher
    contract = next(d for d in assistant.documents() if d.name == "contract.txt")
    assert articles_start(index, contract.source_id) is None  # a contract's "Whereas" is not an act's recital


@pytest.mark.parametrize("question, term", [
    ("How does the GDPR define a processor?", "processor"),
    ("How does the GDPR define a personal data breach?", "personal data breach"),
    ("What is the definition of 'Confidential Information' under the NDA?", "Confidential Information"),
    ("What is the meaning of Effective Date in the Acme agreement?", "Effective Date"),
    ("What is the Effective Date of the Acme agreement?", "Effective Date"),
    ("Which law governs the Acme agreement?", None),
])
def test_the_term_a_definition_question_asks_about(question, term):
    from assistant.retrieval.definitions import term_asked

    assert term_asked(question) == term


def test_the_passage_defining_the_asked_term_comes_first(assistant, tmp_path):
    from assistant.retrieval.definitions import definition_at

    mentions = "The processor shall assist the controller. The processor keeps records of processing. " * 20
    (tmp_path / "regulation.txt").write_text(
        "Article 3\n" + mentions + "\n\nArticle 4 Definitions\n(7) ‘controller’ means the body which determines "
        "the purposes of processing;\n(8) ‘processor’ means a natural or legal person which processes personal "
        "data on behalf of the controller;\n\nArticle 5\n" + mentions)
    assistant.ingest([tmp_path / "regulation.txt"])
    top = assistant.search("How does the regulation define a processor?", k=3)[0]
    assert top.text.startswith("‘processor’ means a natural or legal person")
    page = assistant.index.catalog.page(top.chunk.source_id, top.page)
    assert page.text[top.chunk.start:top.chunk.end] == top.text
    assert definition_at('"Effective Date" shall mean the date first written above.', "effective date") == 0
    assert definition_at("The processor means well.", "processor") is None
    labelled = 'Preamble. This Agreement starts on 3 March 2021 (the "Effective Date") and runs for a year.'
    assert definition_at(labelled, "effective date") == labelled.index("This Agreement")
    assert definition_at("(c) limited to what is necessary (‘data minimisation’);", "data minimisation") == 0


def test_a_definition_is_looked_for_only_in_the_documents_the_question_is_about(assistant, tmp_path):
    from assistant.retrieval.definitions import definition_first

    (tmp_path / "other.txt").write_text('OTHER AGREEMENT\n"Effective Date" means 1 May 2020.\n')
    assistant.ingest([tmp_path / "other.txt"])
    catalog = assistant.index.catalog
    other = next(d for d in assistant.documents() if d.name == "other.txt")
    assert definition_first(catalog, "What is the Effective Date?", [], []) == []
    found = definition_first(catalog, "What is the Effective Date?", [], [other.source_id])
    assert found[0].text.startswith('"Effective Date" means 1 May 2020.')
