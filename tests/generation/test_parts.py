"""Multi-part questions: where a question is cut into the questions it asks (generation/parts.py).
Each rule has a sentence it must cut and one it must leave whole."""

import pytest

from assistant.generation.parts import question_parts


@pytest.mark.parametrize("question, parts", [
    # "and" + an interrogative word opens a second question.
    ("Which law governs the supply agreement, and how long is its initial term?",
     ["Which law governs the supply agreement?", "How long is its initial term?"]),
    ("Which law governs the agreement and which courts have jurisdiction?",
     ["Which law governs the agreement?", "Which courts have jurisdiction?"]),
    # After a comma, an auxiliary opens a yes/no question.
    ("Is the licence exclusive, and is it transferable?", ["Is the licence exclusive?", "Is it transferable?"]),
    # A question mark with more text after it.
    ("What is the term? Can it be renewed?", ["What is the term?", "Can it be renewed?"]),
    # Three parts.
    ("Who are the parties, what is the price, and when is payment due?",
     ["Who are the parties, what is the price?", "When is payment due?"]),
])
def test_a_question_asking_several_things_is_cut_into_them(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize("question", [
    # Without a comma "and are" joins two predicates of one subject.
    "Are goods inspected and are they accepted on delivery?",
    # One side has no subject of its own to search for.
    "When and where is payment due?",
    "Who may audit the records, and how?",
    "Does the agreement say when and where payment is due?",
    # "and" between two nouns is one question.
    "Is the license granted in the co-branding and advertising agreement non-transferable?",
    "What insurance and indemnity does the supplier provide?",
])
def test_a_question_asking_one_thing_stays_whole(question):
    assert question_parts(question) == [question]
