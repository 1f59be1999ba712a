"""What stays of citation checking once Clausewise picks the cited sentences itself: verbatim
quotes, refusals in the model's words, each cited span once."""

from assistant.grounding.citations import is_refusal, quote_is_verbatim, unique_citations
from assistant.types import Citation, SentenceCheck


def test_quotes_across_line_breaks_are_verbatim_after_whitespace_normalisation():
    page = "4.1 The Supplier shall notify the Buyer of any data breach\nwithin forty-eight (48) hours."
    assert quote_is_verbatim("notify the Buyer of any data breach within forty-eight (48) hours.", page)
    assert not quote_is_verbatim("notify the Buyer within 48 hours.", page)
    assert not quote_is_verbatim("   ", page)


def test_a_refusal_in_english_german_or_french_is_recognised_and_an_answer_is_not():
    assert is_refusal("NOT FOUND") and is_refusal("The passages do not contain the term.")
    assert is_refusal("Die Passagen enthalten keine Angaben dazu.")
    assert is_refusal("Les passages ne contiennent pas cette information.")
    assert not is_refusal("No assignment is permitted without prior written consent.")


def test_a_span_cited_by_two_sentences_is_listed_once():
    one = Citation(1, "msa.pdf", "src", 3, 10, 40, "quote", False)
    other = Citation(2, "msa.pdf", "src", 4, 0, 20, "other", False)
    checks = [SentenceCheck("a", (1,), (one,)), SentenceCheck("b", (1, 2), (one, other))]
    assert unique_citations(checks) == (one, other)
