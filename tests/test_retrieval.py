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
