"""The model states; Clausewise checks the statement's claims against whole sentences of the
passages and cites the sentences that hold them (grounding/statement.py, units.py, verify.py), and
the reply is read from its JSON (generation/reply.py)."""

import pytest

from assistant.generation.reply import StatementStream, parse
from assistant.grounding.statement import claims, is_supported_by, months_in, names_in, negated, numbers_in
from assistant.grounding.units import passage_units
from assistant.grounding.verify import clause_alone, location, supporting
from assistant.grounding.subject import subject_stems
from assistant.types import Chunk, Hit

PAGE = ("7. FEES\nThe Customer is responsible for paying i-on the recurring monthly fee in the amount of $450. "
        "The Customer is responsible for paying the recurring monthly fees by the 5th day of each month beginning "
        "in April 1, 1999.\n8. GOVERNING LAW\nThis Agreement is governed by the laws of the State of New York. "
        "Neither party may assign this Agreement without consent.")


def hit(start: int, end: int, page: str = PAGE, name: str = "hosting.pdf") -> Hit:
    chunk = Chunk("c", "src", name, "pdf", 2, start, end, page[start:end], "7. FEES", 0)
    return Hit(chunk=chunk, score=1.0)


def units(*hits):
    return passage_units(hits, lambda h: PAGE)


@pytest.mark.parametrize("text, expected", [
    ("thirty (30) days", {30.0}), ("$1,500.00", {1500.0}), ("the 5th day", {5.0}), ("forty-five percent", {45.0, 40.0, 5.0}),
    ("12.5%", {12.5}), ("clause 3.1", {3.1}), ("no number", set()), ("its creditors; - 3 - (v) Diplomat", set()),
])
def test_numbers_are_read_in_digits_and_words(text, expected):
    assert numbers_in(text) == expected


def test_months_names_and_negations():
    assert months_in("due on October 31, 2006") == {"oct"} and months_in("the Buyer may terminate") == set()
    assert months_in("signed in May 2019") == {"may"}
    assert names_in("The licence is granted by Acme Corp to Beta.") == {"acme", "corp", "beta"}
    assert names_in("Yes, it is.") == set()
    assert negated("The Supplier may not assign.") and negated("It isn't capped.") and not negated("It is capped.")


def test_claims_leave_out_what_the_question_and_the_document_name():
    found = claims("Centrack pays i-on $450 a month.", "What does Centrack pay i-on?", known_names={"i", "on"})
    assert found.numbers == {450.0} and found.names == frozenset()
    assert claims("The fee Acme pays is $450.", "What is the fee?").names == {"acme"}
    assert claims("GE pays $450.", "What is the fee?").names == {"ge"}


def test_a_statement_stands_only_when_every_claim_is_in_the_sentences():
    sentence = "The Customer is responsible for paying i-on the recurring monthly fee in the amount of $450."
    assert is_supported_by(claims("The monthly fee is $450.", "What is the fee?"), [sentence])
    assert not is_supported_by(claims("The monthly fee is $540.", "What is the fee?"), [sentence])
    assert not is_supported_by(claims("The fee is not $450.", "What is the fee?"), [sentence])
    assert not is_supported_by(claims("The fee Beta pays is $450.", "What is the fee?"), [sentence])
    # Nothing checkable: half its words must be there.
    assert is_supported_by(claims("The customer pays a recurring monthly fee.", "What is the fee?"), [sentence])
    assert not is_supported_by(claims("Penguins enjoy cold weather.", "What is the fee?"), [sentence])


def test_units_are_whole_sentences_of_the_page_without_their_heading():
    # The passage starts and ends inside sentences; the units are the page's whole sentences.
    start, end = PAGE.index("paying i-on"), PAGE.index("5th day") + 3
    found = units(hit(start, end))
    assert [u.text[:30] for u in found] == ["The Customer is responsible fo", "The Customer is responsible fo"]
    assert all(PAGE[u.start:u.end] == u.text and u.text.endswith(".") for u in found)
    law = units(hit(PAGE.index("8. GOVERNING"), len(PAGE)))
    assert law[0].text.startswith("This Agreement is governed") and law[0].clause == "8. GOVERNING LAW"
    assert location(law[0]) == "hosting, page 2, clause 8. GOVERNING LAW"


def test_the_sentences_holding_a_two_fact_statement_are_found_and_cited():
    every = units(hit(0, len(PAGE)))
    verdict = supporting("Centrack pays $450 a month, due by the 5th.", "", "What does Centrack pay, and when?", every)
    assert verdict.verified and len(verdict.units) == 2
    assert "$450" in verdict.units[0].text and "5th" in verdict.units[1].text
    one = supporting("New York law governs.", "", "Which law governs?", every)
    assert [u.text for u in one.units] == ["This Agreement is governed by the laws of the State of New York."]
    assert not supporting("Delaware law governs.", "", "Which law governs?", every).verified
    # A value with its currency is a statement; a bare clause number is not.
    assert supporting("$450", "", "What is the fee?", every).verified
    assert not supporting("7", "", "What is the fee?", every).verified
    page = "The Customer pays M&I a fee. M&I owns the custom software."
    found = passage_units((hit(0, len(page), page),), lambda h: page)
    assert supporting("M&I", "", "Who owns the custom software?", found).verified


def test_the_sentence_the_model_quoted_comes_first_among_those_holding_the_claims():
    page = "The fee is $450 for hosting. A setup fee of $450 is due on signature."
    hits = (hit(0, len(page), page),)
    found = passage_units(hits, lambda h: page)
    verdict = supporting("The fee is $450.", "A setup fee of $450 is due on signature.", "What is the setup fee?", found)
    assert verdict.units[0].text == "A setup fee of $450 is due on signature."


def test_the_clause_alone_is_the_quoted_sentence_else_the_one_holding_the_subject():
    every = units(hit(0, len(PAGE)))
    quoted = clause_alone("Neither party may assign this Agreement", "May it be assigned?", frozenset(), every, 0.5)
    assert quoted.text.startswith("Neither party may assign")
    subject = subject_stems("Which laws govern it?", [], set())
    assert clause_alone("", "Which laws govern it?", subject, every, 0.5).text.startswith("This Agreement is governed")
    assert clause_alone("", "What insurance?", subject_stems("What insurance is required?", [], set()), every, 0.5) is None


def test_the_reply_is_read_from_json_and_a_refusal_or_bare_markers_are_no_statement():
    assert parse('{"quote": "Fee is $450.", "answer": "The fee is $450 [1]."}').statement == "The fee is $450 ."
    assert parse('{"quote": "", "answer": "NOT FOUND"}').found is False
    assert parse('{"quote": "", "answer": "[1] [2]"}').found is False
    assert parse('{"quote": "x", "answer": "The fee is').statement == "The fee is"  # cut short
    assert parse("The fee is $450.").statement == "The fee is $450."  # a server that ignored the schema
    # Half an emoji escaped alone decodes to a lone surrogate, which could not be written anywhere.
    assert parse('{"quote": "", "answer": "The fee is $450 \\ud83d."}').statement.encode("utf-8")


def test_the_statement_streams_out_of_the_json_as_it_is_written():
    stream = StatementStream()
    pieces = ['{"quote": "Fee', ' $450."', ', "answer": "The', ' fee is \\"', 'fixed\\""}']
    assert "".join(stream.feed(p) for p in pieces) == 'The fee is "fixed"'


def test_a_statement_that_only_copies_words_of_its_sentence_is_shown_as_the_clause():
    from assistant.grounding.verify import copies

    sentence = '4.1 plan_b shall pay LICENSOR a share of its revenues as set forth in APPENDIX 2 ("REVENUES").'
    assert copies("4.1 plan_b shall pay LICENSOR a share of its revenues as set forth in", sentence)
    assert not copies("plan_b pays Data Call a 45% share of its revenues.", sentence)


def test_of_two_sentences_sharing_the_subject_the_one_stating_the_kind_asked_for_is_shown():
    every = units(hit(0, len(PAGE)))
    question = "What monthly fee does the customer pay?"
    subject = subject_stems(question, [], set())
    assert "$450" in clause_alone("", question, subject, every, 0.5).text
    when = "By which day of the month are the monthly fees due?"
    assert "5th day" in clause_alone("", when, subject_stems(when, [], set()), every, 0.5).text


@pytest.mark.parametrize("question, kinds", [
    ("What's i-on charging Centrack a month?", {"amount"}), ("How much notice is needed?", {"amount", "period"}),
    ("By when must it say so?", {"date"}), ("Which law governs the deal?", {"law"}), ("Who owns the software?", set()),
    ("Will they tell us if a government asks for our data?", set()),
])
def test_the_kind_of_fact_a_question_asks_for(question, kinds):
    from assistant.grounding.answer_kind import kinds_asked

    assert kinds_asked(question) == kinds


def test_a_sentence_with_the_wording_of_the_clause_asked_about_addresses_the_question():
    class Item:  # a checklist item by its signal, as clauses/checklist.py matches one
        def signal_in(self, sentence):
            return "governed by the laws" in sentence

    every = units(hit(0, len(PAGE)))
    subject = subject_stems("What applies to disputes?", [], set())
    assert clause_alone("", "What applies to disputes?", subject, every, 0.5) is None
    shown = clause_alone("", "What applies to disputes?", subject, every, 0.5, [Item()])
    assert shown.text.startswith("This Agreement is governed")
