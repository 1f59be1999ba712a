from assistant.grounding.citations import (
    best_quote,
    check_answer,
    markers_in,
    quote_is_verbatim,
    split_sentences,
    support,
)
from assistant.types import Chunk, Hit

PAGE_1 = "Preamble.\n4.1 The Supplier shall notify the Buyer of any data breach\nwithin forty-eight (48) hours. 4.2 Notices are in writing."
PAGE_7 = "9. GOVERNING LAW\nThis Agreement is governed by the laws of Ireland. The courts of Dublin have jurisdiction."


def hit(text: str, page_text: str, page: int, name: str = "msa.pdf") -> Hit:
    start = page_text.index(text)
    chunk = Chunk(f"id-{page}", "src", name, "pdf", page, start, start + len(text), text, "", 0)
    return Hit(chunk=chunk, score=1.0)


PASSAGES = [
    hit(PAGE_1[PAGE_1.index("4.1"):], PAGE_1, page=1),
    hit(PAGE_7, PAGE_7, page=7),
]


def test_markers_are_read_in_all_usual_forms():
    assert markers_in("It is Irish law [2].") == (2,)
    assert markers_in("Both [1][2] and [2, 1] and [3; 4].") == (1, 2, 3, 4)
    assert markers_in("No citation here.") == ()


def test_sentences_are_split_at_sentence_ends():
    assert split_sentences("The law is Irish [2]. Breaches within 48 hours [1]!  Done.") == [
        "The law is Irish [2].", "Breaches within 48 hours [1]!", "Done."]


def test_correct_marker_is_kept_and_mapped_to_page_and_span():
    [check] = check_answer("The Agreement is governed by the laws of Ireland [2].", PASSAGES)
    [citation] = check.citations
    assert (citation.number, citation.page, citation.repaired) == (2, 7, False)
    assert citation.quote == "This Agreement is governed by the laws of Ireland."
    assert PAGE_7[citation.start:citation.end] == citation.quote


def test_missing_marker_is_matched_to_the_supporting_passage():
    [check] = check_answer("The Supplier must notify the Buyer of a data breach within forty-eight hours.", PASSAGES)
    [citation] = check.citations
    assert citation.number == 1 and citation.repaired and citation.page == 1


def test_wrong_and_out_of_range_markers_are_repaired():
    wrong, out_of_range = check_answer(
        "The courts of Dublin have jurisdiction [1]. Irish laws govern the Agreement [9].", PASSAGES)
    assert wrong.markers == (1,) and [c.number for c in wrong.citations] == [2] and wrong.citations[0].repaired
    assert out_of_range.markers == (9,) and [c.number for c in out_of_range.citations] == [2]


def test_unsupported_sentence_is_flagged():
    [check] = check_answer("The Buyer must pay a penalty of 5,000 EUR per day of delay [1].", PASSAGES)
    assert not check.supported and check.citations == ()


def test_quotes_across_line_breaks_are_verbatim_after_whitespace_normalisation():
    [check] = check_answer("Breaches are notified within forty-eight (48) hours [1].", PASSAGES)
    quote = check.citations[0].quote
    assert "\n" in quote
    assert quote_is_verbatim(quote, PAGE_1)
    assert quote_is_verbatim("data breach within   forty-eight", PAGE_1)
    assert not quote_is_verbatim("within seventy-two hours", PAGE_1)
    assert not quote_is_verbatim("   ", PAGE_1)


def test_support_ignores_stopwords_and_markers():
    assert support("the law of Ireland [2]", PAGE_7) == 1.0
    assert support("[2]", PAGE_7) == 0.0
    assert 0 < support("Irish courts in Cork", PAGE_7) < 0.5


def test_best_quote_picks_the_closest_sentence():
    start, end = best_quote("Who has jurisdiction? The courts of Dublin.", PAGE_7)
    assert PAGE_7[start:end] == "The courts of Dublin have jurisdiction."
