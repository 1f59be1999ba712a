"""The verbatim fallback (grounding/fallback.py): which passage sentence addresses a question, and
the quote that replaces a refusal. Synthetic sentences, one that should match and one that not."""

from assistant.clauses.checklist import all_checklists
from assistant.grounding.fallback import (FALLBACK_LEAD, choose, passage_matches, quoted_answer, subject_stems,
                                          uncited_clause)
from assistant.types import Chunk, Hit

PAGE = ("9. GOVERNING LAW\nThis Agreement shall be governed by the laws of the State of Delaware. "
        "Notices shall be sent by courier.")


def hit(text, page=4, start=0):
    return Hit(Chunk(f"c{page}", "sid", "msa.pdf", "pdf", page, start, start + len(text), text, "9. GOVERNING LAW", 0),
               0.5)


def law_item():
    return next(i for c in all_checklists() for i in c.items if i.id == "governing-law")


def test_the_subject_leaves_out_names_identity_and_question_kind():
    stems = subject_stems("Which law governs the Acme supply agreement?", ["acme"], {"supply", "acme"})
    assert stems == {"law", "gover"}
    # Nothing left once the identity goes: the identity words are kept rather than nothing.
    assert subject_stems("What does the supply agreement say about supply?", [], {"supply"}) == {"suppl"}


def test_a_sentence_sharing_the_subject_addresses_the_question_and_a_heading_never_does():
    subject = subject_stems("Which law governs the agreement?", [], set())
    (match,) = passage_matches([hit(PAGE)], subject)
    assert PAGE[match.start:match.end] == "This Agreement shall be governed by the laws of the State of Delaware."
    assert match.subject_share == 1.0 and not match.clause_signal
    assert choose([match], cited=[], subject_share=0.5) == match


def test_a_sentence_sharing_too_little_of_the_subject_does_not():
    subject = subject_stems("How many days of notice does termination for convenience need?", [], set())
    matches = passage_matches([hit(PAGE)], subject)
    assert all(m.subject_share < 0.5 for m in matches)
    assert choose(matches, cited=[], subject_share=0.5) is None


def test_a_clause_signal_addresses_the_question_whatever_its_words():
    """"Which jurisdiction's rules apply?" shares no word with "governed by the laws of", but the
    sentence has the governing-law clause's wording; a notices sentence has not."""
    subject = subject_stems("Which jurisdiction's rules apply?", [], set())
    matches = passage_matches([hit(PAGE)], subject, [law_item()])
    assert matches[0].clause_signal and matches[0].subject_share == 0.0
    assert choose(matches, cited=[], subject_share=0.5) == matches[0]
    notices = passage_matches([hit("Notices shall be sent by courier to the registered office.")], subject, [law_item()])
    assert not notices[0].clause_signal and choose(notices, cited=[], subject_share=0.5) is None


def test_the_passage_the_model_cited_comes_first():
    subject = subject_stems("Which law governs the agreement?", [], set())
    other = "The laws of England govern any dispute about the agreement."
    matches = passage_matches([hit(other, page=2), hit(PAGE, page=4)], subject)
    assert choose(matches, cited=[2], subject_share=0.5).number == 2
    assert choose(matches, cited=[], subject_share=0.5).number in (1, 2)


def test_the_quote_is_an_exact_slice_of_the_page_and_cites_its_passage():
    offset = 120  # the passage starts this far into its page
    page = " " * offset + PAGE
    subject = subject_stems("Which law governs the agreement?", [], set())
    passages = [hit(PAGE, start=offset)]
    (match,) = passage_matches(passages, subject)
    text, check = quoted_answer(match, passages)
    (citation,) = check.citations
    assert page[citation.start:citation.end] == citation.quote
    assert text == f"{FALLBACK_LEAD} “This Agreement shall be governed by the laws of the State of Delaware” [1]."
    assert citation.page == 4 and citation.number == 1 and check.supported


def test_the_clause_asked_about_is_added_when_the_answer_cites_no_passage_holding_it():
    """"Which law governs?" answered from a notices passage: the governing-law sentence of another
    passage read is the clause; when the cited passage has the clause's wording, nothing is added."""
    subject = subject_stems("Which law governs the agreement?", [], set())
    notices = hit("Notices under the agreement shall be sent by courier to the registered office.", page=2)
    matches = passage_matches([notices, hit(PAGE, page=4)], subject, [law_item()])
    assert uncited_clause(matches, cited=[1]).number == 2
    assert uncited_clause(matches, cited=[2]) is None
    assert uncited_clause(matches, cited=[1, 2]) is None
    # No passage has the clause's wording: nothing to add.
    unrelated = passage_matches([notices], subject, [law_item()])
    assert uncited_clause(unrelated, cited=[]) is None
