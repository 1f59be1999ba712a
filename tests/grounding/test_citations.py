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


def test_the_questions_names_for_its_document_need_no_passage_to_repeat_them():
    """An answer restating "the Diplomat / Tadeo hosting agreement" is judged on what it says
    about the clause: the parties' names (capitalised in the question and found in the document's
    opening) are not counted, other words are."""
    from assistant.grounding.citations import naming_words, support

    question = "Which law governs the Diplomat Direct / Tadeo hosting agreement?"
    identity = {"diplomat", "direct", "tadeo", "hosting", "agreement", "between"}
    names = naming_words(question, identity)
    assert names == {"diplomat", "direct", "tadeo"}  # "hosting" is lower case: not a name; "Which" starts it
    passage = "This Agreement is governed by the laws of the State of New York."
    answer = "The Diplomat Direct / Tadeo agreement is governed by New York law."
    assert support(answer, passage) < 0.75 <= support(answer, passage, names)
    # A claim the passage does not make stays unsupported, names or not.
    assert support("The Diplomat Direct / Tadeo agreement ends after five years.", passage, names) < 0.5
    # A capitalised word the document never uses is no name of it.
    assert naming_words("Is the Monsanto agreement exclusive?", identity) == frozenset()


def test_a_reply_in_the_prompts_layout_has_each_marker_read_with_the_text_after_it():
    """"[1] p. 8: NO PARTY … [2] IMNTV represents …": each marker labels what follows it, as the
    passages are labelled in the prompt, so each segment is checked against its own passage."""
    from assistant.grounding.citations import markers_after_their_text

    reply = "[1] paragraph 8: NO PARTY WILL BE LIABLE FOR LOST PROFITS [2] p. 7: IMNTV warrants its title. It is solvent."
    assert markers_after_their_text(reply) == ("NO PARTY WILL BE LIABLE FOR LOST PROFITS [1]. IMNTV warrants its title [2]. "
                                               "It is solvent [2].")
    liability_text = "NO PARTY WILL BE LIABLE FOR LOST PROFITS OR SPECIAL DAMAGES."
    warranty_text = "IMNTV warrants its title to the content. It is solvent and duly organised."
    liability, warranty = hit(liability_text, liability_text, page=8), hit(warranty_text, warranty_text, page=7)
    checks = check_answer(markers_after_their_text(reply), [liability, warranty])
    assert [c.citations[0].page for c in checks] == [8, 7, 7]
    # Markers after their sentences, bare markers, or one leading marker: left as written.
    for reply in ("The law is Delaware [1]. The term is 3 years [2].", "[1] [2]", "[1] The law of New York governs.",
                  "[1] The law is Delaware [1]."):
        assert markers_after_their_text(reply) == reply
