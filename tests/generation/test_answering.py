"""Assistant.ask with the real index (Chroma + SQLite), the hash embedder and a scripted generator."""

import json
import threading

import pytest

from assistant.generation import reply
from assistant.generation.answering import UNVERIFIED_LEAD
from assistant.types import Answer, Failure, Sources, Token
from assistant.generation.models import ModelUnavailable
from assistant.service import Assistant
from assistant.testing import ScriptedGenerator
from assistant.types import SearchFilters

NORTHWIND = """SUPPLY AGREEMENT between Northwind Components Ltd and Harbour Tools GmbH.
1. TERM
1.1 The term is three (3) years and renews for one (1) year unless notice is given ninety (90) days before expiry.
2. TERMINATION
2.1 Either party may terminate for convenience on sixty (60) days' written notice.
3. GOVERNING LAW
3.1 This Supply Agreement is governed by the laws of Ireland.
"""
BLUEFIN = """SERVICES AGREEMENT between Bluefin Logistics Inc and Harbour Tools GmbH.
1. TERM
1.1 The term is five (5) years.
2. TERMINATION
2.1 Either party may terminate for convenience on thirty (30) days' written notice.
3. GOVERNING LAW
3.1 This Services Agreement is governed by the laws of the State of New York.
"""


@pytest.fixture
def library(tmp_path, hash_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "northwind.txt").write_text(NORTHWIND)
    (docs / "bluefin.txt").write_text(BLUEFIN)

    def make(generator):
        a = Assistant(tmp_path / "index", embedder=hash_embedder, generator=generator)
        a.ingest([docs])
        return a

    yield make


def run(assistant, question, **kwargs):
    return list(assistant.ask(question, **kwargs))


def test_events_come_in_order_sources_tokens_answer(library):
    generator = ScriptedGenerator()
    events = run(library(generator), "Which law governs the Northwind Components supply agreement?")
    assert isinstance(events[0], Sources) and events[0].passages
    assert all(isinstance(e, Token) for e in events[1:-1]) and len(events) > 3
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.abstained
    assert "Ireland" in answer.text
    # The model replies in JSON (generation/reply.py); the user watches only its statement stream.
    assert generator.schemas == [reply.SCHEMA]
    assert "".join(e.text for e in events[1:-1]).strip() == reply.parse(answer.model_text).statement
    citation = answer.citations[0]
    assert citation.doc_name == "northwind.txt" and citation.page == 1
    assert NORTHWIND[citation.start:citation.end] == citation.quote and "Ireland" in citation.quote
    # The statement, cited, then the sentence it rests on, whole (its heading line left out) and placed.
    statement, evidence = answer.text.split("\n\n")
    assert statement.endswith("[1].") and "Ireland" in statement
    assert evidence == "“3.1 This Supply Agreement is governed by the laws of Ireland.” [1] (northwind, clause 3. GOVERNING LAW)."


def test_cancel_stops_generation_promptly(library):
    generator = ScriptedGenerator(script='{"quote": "", "answer": "' + " ".join(f"word{i}" for i in range(500)) + '"}')
    cancel = threading.Event()
    events = []
    for event in library(generator).ask("Which law governs the Northwind agreement?", cancel=cancel):
        events.append(event)
        if sum(isinstance(e, Token) for e in events) == 3:
            cancel.set()
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.cancelled
    assert generator.pieces_produced <= 7  # three pieces of JSON before the statement, then the cancel seen at once
    assert sum(isinstance(e, Token) for e in events) <= 4


def test_a_name_no_document_mentions_abstains_without_running_the_model(library):
    generator = ScriptedGenerator()
    events = run(library(generator), "What is the governing law of the Monsanto agency agreement?")
    answer = events[-1]
    assert isinstance(events[0], Sources)
    assert answer.abstained and answer.citations == ()
    assert answer.text.startswith("The documents do not answer")
    assert '"monsanto"' in answer.reason
    assert answer.passages  # the nearest passages are still listed
    assert generator.calls == []


def test_a_name_the_document_writes_joined_is_known(library):
    """A question writes "Radial Spark", the contract "RadialSpark": adjacent names are joined
    before either is called unknown, while a name no document has is still caught."""
    from assistant.grounding.evidence import unknown_names

    a = library(ScriptedGenerator())
    catalog = a.index.catalog
    assert unknown_names(catalog, "What does the Harbour Tools agreement say?") == ()
    assert unknown_names(catalog, "What does the Harbour Tolls agreement say?") == ("tolls",)
    assert unknown_names(catalog, "Is the Bluefish Logistics contract renewed?") == ("bluefish",)
    docs = a.index_dir.parent / "docs"
    (docs / "joined.txt").write_text("MASTER SERVICES AGREEMENT between RadialSpark, LLC and Clear Capital.")
    a.ingest([docs / "joined.txt"])
    assert unknown_names(catalog, "When does the Clear Capital / Radial Spark agreement expire?") == ()


def test_a_clause_the_document_lacks_abstains_without_running_the_model(library):
    """Asked about a clause a checklist knows, when no sentence of the document has its usual
    wording, the answer says the document has no such clause instead of reading the nearest
    (unrelated) passages to the model."""
    generator = ScriptedGenerator()
    answer = run(library(generator), "What amount of liquidated damages is payable under the Northwind supply agreement?")[-1]
    assert answer.abstained and answer.citations == () and generator.calls == []
    assert answer.evidence.absent_clauses == ("liquidated-damages",)
    assert "northwind.txt has no clause on liquidated damages or penalties" in answer.reason
    assert answer.passages and answer.text.startswith("The documents do not answer")


def test_a_clause_the_document_has_goes_to_the_model(library):
    generator = ScriptedGenerator()
    answer = run(library(generator), "May a party terminate for convenience under the Bluefin services agreement?")[-1]
    assert generator.calls and not answer.abstained
    assert answer.evidence.absent_clauses == ()
    assert "thirty (30) days" in answer.text


def test_the_clause_check_reads_the_document_the_question_names(library):
    """Retrieval may route a question to a second, similar document; the one it names decides."""
    from assistant.grounding.evidence import documents_named

    catalog = library(ScriptedGenerator()).index.catalog
    ids = {d.name: d.source_id for d in catalog.documents()}
    both = [ids["bluefin.txt"], ids["northwind.txt"]]
    assert documents_named(catalog, "What insurance must Northwind Components carry?", both) == [ids["northwind.txt"]]
    assert documents_named(catalog, "What insurance must the supplier carry?", both) == both


def test_a_term_in_most_passages_does_not_name_a_clause(library):
    """'parties' and 'term' occur throughout contracts: they do not say which clause is asked
    about, while a word no passage has ('escrow') does."""
    from assistant.clauses.checklist import all_checklists
    from assistant.clauses.presence import items_asked

    catalog = library(ScriptedGenerator()).index.catalog
    checklists = all_checklists()
    assert [i.id for i in items_asked(catalog, "Which escrow agent holds the source code?", checklists)] == ["source-code-escrow"]
    assert "expiration-date" not in [i.id for i in items_asked(catalog, "What is the term of the agreement?", checklists)]


def test_a_word_of_a_party_name_does_not_name_a_clause(library):
    """"Hartford Life Insurance" names a party: a question about its agreement does not ask about
    an insurance clause, while one about "insurance" in lower case, or an "Insurance clause", does."""
    from assistant.clauses.checklist import all_checklists
    from assistant.clauses.presence import items_asked

    a = library(ScriptedGenerator())
    docs = a.index_dir.parent / "docs"
    (docs / "hartford.txt").write_text("ADMINISTRATIVE SERVICES AGREEMENT between Hartford Life Insurance "
                                       "Company and Acme Plans, Inc. The administrator shall keep records.")
    # Enough other documents that a word in one passage is not common (COMMON_SHARE).
    fillers = [docs / f"order-{n}.txt" for n in range(12)]
    for n, path in enumerate(fillers):
        path.write_text(f"PURCHASE ORDER {n}. The buyer orders {n + 2} pallets of copper wire for delivery.")
    a.ingest([docs / "hartford.txt", *fillers])
    catalog, checklists = a.index.catalog, all_checklists()
    sid = next(d.source_id for d in catalog.documents() if d.name == "hartford.txt")

    def asked(question):
        return [i.id for i in items_asked(catalog, question, checklists, [sid])]

    assert "insurance" not in asked("When does the Hartford Life Insurance services agreement expire?")
    assert "insurance" in asked("Must Acme Plans maintain insurance under this agreement?")
    assert "insurance" in asked("Does the agreement have an Insurance clause?")
    # Without the document, the same words are read as a clause, as before.
    assert "insurance" in [i.id for i in items_asked(
        catalog, "When does the Hartford Life Insurance services agreement expire?", checklists)]


def test_the_statement_is_cited_to_the_sentence_that_holds_it_not_the_one_the_model_quoted(tmp_path, hash_embedder):
    """The model quotes the notices passage and states the governing law: Clausewise cites the
    sentence that holds what was stated (Ireland), in the other passage."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "acme-terms.txt").write_text("ACME SUPPLY AGREEMENT, general terms. 7. GOVERNING LAW. This "
                                         "Agreement is governed by the laws of Ireland.")
    (docs / "acme-notices.txt").write_text("ACME SUPPLY AGREEMENT, notices. 8. NOTICES. Notices under the "
                                           "agreement shall be sent by courier to the registered office.")
    script = json.dumps({"quote": "Notices under the agreement shall be sent by courier to the registered office.",
                         "answer": "The agreement is governed by the laws of Ireland."})
    a = Assistant(tmp_path / "index", embedder=hash_embedder, generator=ScriptedGenerator(script=script))
    a.ingest([docs])
    answer = run(a, "What is the governing law of the Acme supply agreement?")[-1]
    assert not answer.abstained and not answer.quoted
    (citation,) = answer.citations
    assert citation.doc_name == "acme-terms.txt" and citation.quote == "This Agreement is governed by the laws of Ireland."
    assert answer.text.startswith(f"The agreement is governed by the laws of Ireland [{citation.number}].")
    a.close()


def test_only_a_run_of_capitalised_words_found_in_the_document_is_blanked():
    from assistant.clauses.presence import without_names

    identity = {"johns", "hopkins", "non", "exclusive", "license", "agreement"}
    blanked = without_names("Is the Johns Hopkins Non-Exclusive License Agreement exclusive?", identity)
    assert blanked.split() == ["Is", "the", "-", "exclusive?"]
    assert len(blanked) == len("Is the Johns Hopkins Non-Exclusive License Agreement exclusive?")
    # A single capitalised word, the first word, or a name the document does not hold stay.
    assert without_names("Is there an Exclusive licence?", identity) == "Is there an Exclusive licence?"
    assert without_names("Exclusive rights: who holds them?", identity) == "Exclusive rights: who holds them?"
    assert without_names("Does the Zenith Exclusive Supply deal renew?", {"zenith"}).split() == [
        "Does", "the", "Exclusive", "Supply", "deal", "renew?"]
    # The words that name the document before "agreement", in lower case too; not those elsewhere.
    assert without_names("What does the license grant in the Johns Hopkins non-exclusive license agreement cover?",
                         identity).split() == ["What", "does", "the", "license", "grant", "in", "the", "-", "agreement",
                                               "cover?"]
    assert without_names("Is the exclusive supply agreement exclusive?", {"supply"}).split() == [
        "Is", "the", "exclusive", "agreement", "exclusive?"]


@pytest.mark.parametrize("script", ['{"quote": "", "answer": "NOT FOUND"}',
                                    '{"quote": "", "answer": "The passages do not contain information about this."}',
                                    "The passages do not contain information about this."])
def test_a_refusal_from_the_model_becomes_a_plain_abstention(library, script):
    generator = ScriptedGenerator(script=script)
    answer = run(library(generator), "How long is the renewal term of the Northwind agreement?")[-1]
    assert answer.abstained and answer.citations == ()
    assert "do not contain the answer" in answer.reason


def test_an_answer_no_passage_supports_is_not_given(library):
    """The model's words are backed by nothing, and no passage it read addresses the question
    (nothing about prices): a refusal, not the nearest passage."""
    generator = ScriptedGenerator(script="Paris is the capital of France and hosts many museums.")
    answer = run(library(generator), "What unit price does the Northwind agreement set for the bearings?")[-1]
    assert answer.abstained and not answer.quoted and answer.citations == ()
    assert answer.model_text.startswith("Paris")
    assert "Paris" not in answer.text


def test_unsupported_wording_over_the_right_passage_becomes_its_verbatim_quote(library):
    """The model read the governing-law clause and wrote something it does not support: the answer
    quotes the clause, verbatim and cited, instead of refusing (grounding/fallback.py)."""
    generator = ScriptedGenerator(script='{"quote": "", "answer": "Paris is the capital of France."}')
    answer = run(library(generator), "Which law governs the Northwind agreement?")[-1]
    assert not answer.abstained and answer.quoted
    assert "Paris" not in answer.text and "governed by the laws of Ireland" in answer.text
    assert answer.text.startswith(UNVERIFIED_LEAD)
    (citation,) = answer.citations
    assert citation.doc_name == "northwind.txt" and NORTHWIND[citation.start:citation.end] == citation.quote
    assert citation.quote == "3.1 This Supply Agreement is governed by the laws of Ireland."
    assert answer.unsupported == []


@pytest.mark.parametrize("statement", ["The laws of Ireland govern. Penguins enjoy cold weather.",
                                       "The laws of Ireland govern for five (5) years.",
                                       "The laws of Ireland do not govern.",
                                       "3.1"])
def test_a_statement_is_shown_only_when_every_sentence_and_claim_is_backed(library, statement):
    """A sentence no passage backs, a number, or a negation the clause lacks, or no statement at
    all: the answer shows the clause alone and says so."""
    generator = ScriptedGenerator(script=json.dumps({"quote": "", "answer": statement}))
    answer = run(library(generator), "Which law governs the Northwind Components agreement?")[-1]
    assert not answer.abstained and answer.quoted
    assert answer.text.startswith(UNVERIFIED_LEAD) and "Penguins" not in answer.text and "five" not in answer.text
    assert "governed by the laws of Ireland" in answer.citations[0].quote


def test_follow_up_questions_stay_with_the_previous_document(library):
    assistant = library(ScriptedGenerator())
    first = run(assistant, "Which law governs?", filters=SearchFilters(documents=("bluefin.txt",)))[-1]
    assert "New York" in first.text
    assert first.documents and all(d == first.citations[0].source_id for d in first.documents)
    follow_up = run(assistant, "and how much notice is needed to terminate for convenience?", history=[first])
    assert {p.doc_name for p in follow_up[0].passages} == {"bluefin.txt"}
    assert "thirty (30) days" in follow_up[-1].text
    # The follow-up was put to the model after the earlier turn.
    messages = assistant.generator.calls[-1]
    assert messages[1]["content"] == first.question and messages[2]["content"] == first.text


def test_a_question_naming_another_document_leaves_the_conversation_scope(library):
    assistant = library(ScriptedGenerator())
    first = run(assistant, "Which law governs?", filters=SearchFilters(documents=("bluefin.txt",)))[-1]
    events = run(assistant, "Which law governs the Northwind Components supply agreement?", history=[first])
    assert "northwind.txt" in {p.doc_name for p in events[0].passages}
    assert "Ireland" in events[-1].text


def test_filters_restrict_the_sources(library):
    events = run(library(ScriptedGenerator()), "Which law governs?", filters=SearchFilters(documents=("bluefin.txt",)))
    assert {p.doc_name for p in events[0].passages} == {"bluefin.txt"}


def test_a_missing_model_is_a_failure_after_the_sources(library):
    generator = ScriptedGenerator(fail=ModelUnavailable("The model file does not exist: /nowhere.gguf"))
    events = run(library(generator), "Which law governs the Northwind agreement?")
    assert isinstance(events[0], Sources)
    assert events[-1] == Failure("The model file does not exist: /nowhere.gguf")


def test_an_empty_question_or_index(library, tmp_path, hash_embedder):
    assert run(library(ScriptedGenerator()), "   ") == [Failure("Type a question first.")]
    empty = Assistant(tmp_path / "empty", embedder=hash_embedder, generator=ScriptedGenerator())
    events = run(empty, "Which law governs?")
    assert events[0] == Sources(()) and events[-1].abstained
    assert "Nothing in the indexed documents" in events[-1].reason


@pytest.mark.parametrize("text, refused", [
    ("NOT FOUND", True),
    ("[1] NOT FOUND\n[2] NOT FOUND\n[3] NOT FOUND", True),
    ("The passages do not contain the term.", True),
    ("Notice not found to be late is valid if given 30 days before expiry [1].", False),
    ("The agreement is governed by the laws of Ireland [1].", False),
    ("[1] No exceptions or carve-outs are mentioned in the Agape ATP supply agreement.", True),
    ("No assignment is permitted without prior written consent [2].", False),
])
def test_refusals_are_recognised_however_a_small_model_writes_them(text, refused):
    from assistant.grounding.citations import is_refusal

    assert is_refusal(text) is refused


def test_each_part_of_a_two_part_question_is_answered_and_cited(library):
    """"Which law governs X, and how long is its term?": the second part names no document, so it
    stays with the first part's; each part is answered from its own passages, and the citation
    numbers point into the one list of passages the answer shows."""
    generator = ScriptedGenerator()
    events = run(library(generator), "Which law governs the Northwind Components supply agreement, and how long is its term?")
    assert isinstance(events[0], Sources)
    answer = events[-1]
    assert [p.question for p in answer.parts] == ["Which law governs the Northwind Components supply agreement?",
                                                   "How long is its term?"]
    assert not answer.abstained and len(generator.calls) == 2
    assert "Ireland" in answer.text and "three (3) years" in answer.text
    quotes = {c.quote for c in answer.citations}
    assert any("Ireland" in q for q in quotes) and any("three (3) years" in q for q in quotes)
    for c in answer.citations:  # every number names the passage its quote comes from
        assert answer.passages[c.number - 1].chunk.source_id == c.source_id
        assert c.quote in answer.passages[c.number - 1].text and NORTHWIND[c.start:c.end] == c.quote
    assert answer.passages == events[0].passages


def test_a_part_the_documents_cannot_answer_is_reported_not_found(library):
    """One part asks about a clause the contract lacks: that part says so, the other is answered."""
    generator = ScriptedGenerator()
    answer = run(library(generator), "Which law governs the Northwind Components supply agreement, and what liquidated "
                                     "damages are payable?")[-1]
    assert not answer.abstained and len(generator.calls) == 1
    law, damages = answer.parts
    assert not law.abstained and damages.abstained and damages.evidence.absent_clauses == ("liquidated-damages",)
    assert "Ireland" in answer.text
    assert "Not found for “What liquidated damages are payable?”" in answer.text


def test_a_later_part_naming_no_clause_is_checked_with_the_clause_before_it(library):
    """"Which escrow agent holds the source code, and what events trigger its release?": "its
    release" is the escrow's, so a contract without escrow answers neither part."""
    generator = ScriptedGenerator()
    answer = run(library(generator), "Which escrow agent holds the source code under the Northwind agreement, and "
                                     "what events trigger its release?")[-1]
    assert answer.abstained and generator.calls == []
    assert all(p.evidence.absent_clauses == ("source-code-escrow",) for p in answer.parts)


def test_a_party_written_as_initials_is_matched_to_the_name_the_contract_spells_out(library):
    """"GE" is "General Electric" in the contract: the question is not refused as naming an
    unknown party, and it is answered from that contract."""
    a = library(ScriptedGenerator())
    docs = a.index_dir.parent / "docs"
    (docs / "ge.txt").write_text("SERVICES AGREEMENT between General Electric Company and Harbour Tools GmbH.\n"
                                 "1. GOVERNING LAW\n1.1 This Services Agreement is governed by the laws of Ontario.\n")
    a.ingest([docs / "ge.txt"])
    answer = run(a, "Which law governs the GE services agreement?")[-1]
    assert not answer.abstained and "Ontario" in answer.text
    assert answer.citations[0].doc_name == "ge.txt"
    assert "No indexed document mentions" in run(a, "Which law governs the XQZ services agreement?")[-1].reason


def test_a_copied_sentence_that_holds_nothing_of_the_question_gives_way_to_the_clause_that_does(library):
    """The model copies a sentence about something else: it verifies (it is the document's own
    text) but answers another question, so the clause holding the question's subject is shown."""
    script = json.dumps({"quote": "", "answer": "1.1 The term is three (3) years and renews for one (1) year unless "
                                                "notice is given ninety (90) days before expiry."})
    answer = run(library(ScriptedGenerator(script=script)), "Which law governs the Northwind Components agreement?")[-1]
    assert answer.quoted and "Ireland" in answer.citations[0].quote and "three (3) years" not in answer.text
