"""Grounded answering: retrieve, check the evidence, ask the model for a statement, verify it.

`Answerer.ask` yields events in a fixed order: one `Sources` (the passages the model reads, before
any token), `Token`s of the model's statement as it writes it (none when it abstains before running
the model), then exactly one `Answer` or one `Failure`.

An answer is a statement, then its evidence. The model replies in JSON (generation/reply.py): the
words it relies on and a short statement, or that the passages do not say. Clausewise then runs
one ordered list of checks on it (grounding/verify.py): the statement's numbers, dates, amounts,
names and negations must stand in one or two whole sentences of the passages, which Clausewise
finds itself; those sentences are cited and quoted whole, with document, page and clause. A
statement that no sentence backs is not shown: the answer says so and quotes the clause alone
(the sentence the model quoted, or the one holding the question's subject), or abstains when no
sentence addresses the question. It abstains too when the index has no evidence
(grounding/evidence.py) or the model says the passages do not hold the answer: an answer nothing
backs is the model's general knowledge, which is exactly what a contract reviewer must not be
given. A question that asks two things is answered part by part (generation/parts.py), and text
in a document addressed to AI systems is left out of the passages before anything reads them
(grounding/ai_text.py). This module only orchestrates.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from assistant.clauses.checklist import Checklist
from assistant.clauses.presence import items_asked
from assistant.errors import ClausewiseError
from assistant.generation import reply
from assistant.generation.parts import question_parts
from assistant.generation.prompt import build_messages, excerpt
from assistant.generation.reply import StatementStream
from assistant.grounding.abstention import AbstentionModel
from assistant.grounding.ai_text import notes as ai_text_notes, without_ai_text
from assistant.grounding.citations import unique_citations
from assistant.grounding.evidence import documents_named, gate, name_words
from assistant.grounding.subject import document_identity, stem, subject_stems
from assistant.grounding.languages import crosses_languages
from assistant.grounding.running_lines import running_lines
from assistant.grounding.units import passage_units
from assistant.grounding.verify import Verdict, clause_alone, copies, location, shown_quote, supporting
from assistant.language import ENGLISH, question_language
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import AnswerSettings
from assistant.text import content_words, normalise_space
from assistant.types import Answer, Event, Evidence, Failure, Hit, SearchFilters, SentenceCheck, Sources, Token


class Generator(Protocol):
    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None, schema: dict | None = None) -> Iterator[str]: ...


def abstention_text(question: str, reason: str) -> str:
    return f"The documents do not answer this question. {reason}".strip()


@dataclass
class _Part:
    """One question (or one part of a multi-part question), retrieved and checked, not yet answered."""
    question: str
    passages: tuple[Hit, ...]
    notes: tuple[str, ...]
    about: list[str]  # source ids: the documents it was routed to that it names (all routed when it names none)
    evidence: Evidence = dataclasses.field(default_factory=Evidence)
    reason: str = ""  # why it abstains before the model runs; "" when the model may answer
    found_any: bool = True  # retrieval found passages (perhaps only text addressed to AI)


class Answerer:
    def __init__(self, retriever: HybridRetriever, generator: Generator, settings: AnswerSettings = AnswerSettings(),
                 checklists: Sequence[Checklist] = (), abstention: AbstentionModel | None = None):
        self.retriever = retriever
        self.generator = generator
        self.settings = settings
        self.checklists = tuple(checklists)  # whose items' signals tell a clause missing from a document
        self.abstention = abstention  # whether the documents hold an answer (grounding/abstention.py); None: shipped

    def _scope(self, question: str, filters: SearchFilters | None, history: Sequence[Answer]) -> SearchFilters | None:
        """A follow-up that names no document ("and what is the notice period?") stays with the
        documents the previous answer was about."""
        if filters is not None and (filters.documents or filters.doc_types):
            return filters
        if history and not name_words(question) and history[-1].documents:
            return SearchFilters(documents=tuple(history[-1].documents))
        return filters

    def ask(self, question: str, filters: SearchFilters | None = None, history: Sequence[Answer] = (),
            cancel: threading.Event | None = None) -> Iterator[Event]:
        question = normalise_space(question)
        if not question:
            yield Failure("Type a question first.")
            return
        try:
            yield from self._ask(question, filters, list(history), cancel)
        except ClausewiseError as exc:
            yield Failure(exc.message)

    def _prepare(self, question: str, filters: SearchFilters | None, gate_question: str) -> _Part:
        """Retrieve, cut the excerpts, and check the evidence. `gate_question`: what the evidence
        check reads (a later part that names no clause is about the clause of the part before)."""
        s = self.settings
        retrieval = self.retriever.retrieve(question, k=max(s.passages, 1), filters=filters)
        index = self.retriever.index
        found = retrieval.hits[: s.passages]
        # Excerpts are cut after the text addressed to AI is blanked, so none centres on it.
        readable, _ = without_ai_text(index, found)
        passages = tuple(excerpt(h, question, s.excerpt_chars) for h in readable)
        notes = tuple(ai_text_notes(index, [h.chunk.source_id for h in found]))
        if not passages:
            return _Part(question, passages, notes, [], found_any=bool(found), reason=(
                "The only passages found are text addressed to AI systems, which is never used as evidence."
                if found else "Nothing in the indexed documents matches it."))
        routed = retrieval.routed or [passages[0].chunk.source_id]
        catalog = index.catalog
        evidence, reason = gate(catalog, gate_question, routed, passages, self.checklists, s.coverage_threshold,
                                self.abstention)
        return _Part(question, passages, notes, documents_named(catalog, question, routed), evidence, reason)

    def _ask(self, question, filters, history, cancel) -> Iterator[Event]:
        started = time.perf_counter()
        scope = self._scope(question, filters, history)
        parts = question_parts(question)
        prepared: list[_Part] = []
        for i, part in enumerate(parts):
            part_scope, gate_question = scope, part
            if i:
                # A later part that names no document ("how long is its initial term?") is about
                # the documents the first part is about; one that names no clause ("what events
                # trigger its release?") is about the clause of the part before it.
                if not name_words(part) and not (scope and (scope.documents or scope.doc_types)) and prepared[0].about:
                    part_scope = SearchFilters(documents=tuple(prepared[0].about))
                if not items_asked(self.retriever.index.catalog, part, self.checklists):
                    gate_question = f"{parts[i - 1]} {part}"
            prepared.append(self._prepare(part, part_scope, gate_question))
        passages, numbers = _union([p.passages for p in prepared])
        yield Sources(passages)

        answers: list[Answer] = []
        for i, part in enumerate(prepared):
            if i and any(a.tokens for a in answers):
                yield Token("\n\n")
            answer = yield from self._answer(part, history, cancel, started)
            answers.append(answer)
            if answer.cancelled:
                break
        yield answers[0] if len(prepared) == 1 else _combined(question, answers, passages, numbers)

    def _answer(self, part: _Part, history, cancel, started) -> Iterator[Event]:
        """Tokens of one part's statement as the model writes it; returns its verified Answer."""
        s = self.settings
        passages, notes, evidence = part.passages, part.notes, part.evidence

        def abstain(reason: str, **extra) -> Answer:
            return Answer(part.question, abstention_text(part.question, reason), (), (), True, passages, reason,
                          notes=notes, **extra)

        if part.reason:
            return abstain(part.reason, evidence=evidence)
        index = self.retriever.index
        running = {p.chunk.source_id: running_lines(index, p.chunk.source_id) for p in passages}
        messages = build_messages(part.question, passages, [(a.question, a.text) for a in history[-s.history_turns:]]
                                  if s.history_turns else (), running)
        pieces: list[str] = []
        statement_stream = StatementStream()
        first_token = None
        for piece in self.generator.stream(messages, max_tokens=s.max_tokens, temperature=0.0, cancel=cancel,
                                           schema=reply.SCHEMA):
            if first_token is None:
                first_token = time.perf_counter()
            if cancel is not None and cancel.is_set():
                break
            pieces.append(piece)
            shown = statement_stream.feed(piece)
            if shown:
                yield Token(shown)
        finished = time.perf_counter()
        model_text = "".join(pieces).strip()
        said = reply.parse(model_text)
        timing = dict(
            first_token_seconds=(first_token - started) if first_token else None,
            tokens=len(pieces),
            tokens_per_second=(len(pieces) - 1) / (finished - first_token)
            if first_token and len(pieces) > 1 and finished > first_token else None,
        )
        if cancel is not None and cancel.is_set():
            return Answer(part.question, said.statement, (), (), False, passages, model_text=model_text,
                          evidence=evidence, cancelled=True, notes=notes, **timing)
        if not said.found:
            return abstain("The passages found do not contain the answer; the nearest are listed.",
                           model_text=model_text, evidence=evidence, **timing)
        units = passage_units(passages, lambda hit: _page_text(index.catalog, hit))
        identity = document_identity(index.catalog, passages)
        verdict = supporting(said.statement, said.quote, part.question, units, known_names=frozenset(identity),
                             check_names=question_language(part.question) == ENGLISH)
        subject = subject_stems(part.question, name_words(part.question), identity)
        # The question's words cannot be looked for in passages in another language.
        crossing = crosses_languages(part.question, passages)
        if verdict.verified and (crossing or not _off_subject(verdict, subject)):
            text, checks = _stated(verdict)
            return Answer(part.question, text, unique_citations(checks), checks, False, passages,
                          model_text=model_text, evidence=evidence, notes=notes, **timing)
        asked = items_asked(index.catalog, part.question, self.checklists, part.about)
        clause = clause_alone(said.quote, part.question, subject, units, s.quote_subject_share, asked)
        if clause is None and units and crossing:
            # The question's words cannot be looked for in a passage in another language: the
            # first passage, which the multilingual ranking put first, is the clause shown.
            clause = units[0]
        if clause is None:
            return abstain("No passage supports what the model wrote, so it is not shown as an answer.",
                           model_text=model_text, evidence=evidence, **timing)
        text = f"{UNVERIFIED_LEAD} {shown_quote(clause)} [{clause.number}] ({location(clause)})."
        check = SentenceCheck(text, (clause.number,), (clause.citation(),))
        return Answer(part.question, text, check.citations, (check,), False, passages, model_text=model_text,
                      evidence=evidence, notes=notes, quoted=True, **timing)


CLAUSE_LEAD = "The clause says:"
UNVERIFIED_LEAD = ("The model's answer could not be checked against the passages, so it is not shown. "
                   f"{CLAUSE_LEAD}")


def _off_subject(verdict: Verdict, subject: frozenset[str]) -> bool:
    """The sentences that back the statement hold nothing of what the question asks about: the
    statement is true of the document and answers another question ("The Customer is solely
    responsible for any and all advertising", asked what the most is that can be got back in
    damages; the agreement's title, asked which law governs it). The clause that addresses the
    question is looked for instead."""
    held = {stem(w) for unit in verdict.units for w in content_words(unit.text)}
    return bool(subject) and not subject & held


def _page_text(catalog, hit: Hit) -> str | None:
    page = catalog.page(hit.chunk.source_id, hit.page)
    return page.text if page is not None else None


def _stated(verdict: Verdict) -> tuple[str, tuple[SentenceCheck, ...]]:
    """The statement with its passages' markers, then each sentence it rests on, whole and placed.
    A statement that only copies words of the sentence ("4.1 plan_b shall pay LICENSOR a share of
    its revenues as set forth in") says nothing the sentence does not say better: the sentence
    alone is the answer."""
    if len(verdict.units) == 1 and copies(verdict.statement, verdict.units[0].text):
        unit = verdict.units[0]
        text = f"{CLAUSE_LEAD} {shown_quote(unit)} [{unit.number}] ({location(unit)})."
        return text, (SentenceCheck(text, (unit.number,), (unit.citation(),)),)
    numbers = list(dict.fromkeys(u.number for u in verdict.units))
    markers = "".join(f"[{n}]" for n in numbers)
    statement = verdict.statement.rstrip()
    stop = statement[-1] if statement[-1:] in ".!?" else "."
    statement = f"{statement.rstrip('.!?').rstrip()} {markers}{stop}"
    citations = tuple(u.citation() for u in verdict.units)
    checks = [SentenceCheck(statement, tuple(numbers), citations)]
    lines = [statement]
    for unit in verdict.units:
        line = f"{shown_quote(unit)} [{unit.number}] ({location(unit)})."
        lines.append(line)
        checks.append(SentenceCheck(line, (unit.number,), (unit.citation(),)))
    return "\n\n".join(lines), tuple(checks)


def _union(groups: Sequence[Sequence[Hit]]) -> tuple[tuple[Hit, ...], list[dict[int, int]]]:
    """The passages of all parts as one numbered list (a passage two parts share appears once), and
    per part its numbers in that list."""
    passages: list[Hit] = []
    where: dict[tuple, int] = {}
    numbers = []
    for group in groups:
        mapping = {}
        for n, hit in enumerate(group, start=1):
            key = (hit.chunk.source_id, hit.chunk.start, hit.chunk.end)
            if key not in where:
                passages.append(hit)
                where[key] = len(passages)
            mapping[n] = where[key]
        numbers.append(mapping)
    return tuple(passages), numbers


def _renumbered(text: str, mapping: dict[int, int]) -> str:
    def one(m):
        return "[" + ", ".join(str(mapping.get(int(n), int(n))) for n in re.split(r"\s*[,;]\s*", m.group(1))) + "]"

    return re.sub(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]", one, text)


def _combined(question: str, answers: Sequence[Answer], passages: tuple[Hit, ...],
              numbers: Sequence[dict[int, int]]) -> Answer:
    """One answer reporting every part: its verified, cited answer, or that it was not found."""
    texts, checks, reasons = [], [], []
    for answer, mapping in zip(answers, numbers):
        if answer.abstained:
            texts.append(f"Not found for “{answer.question}”: {answer.reason}")
            reasons.append(f"“{answer.question}”: {answer.reason}")
            continue
        texts.append(_renumbered(answer.text, mapping))
        for check in answer.sentences:
            checks.append(SentenceCheck(_renumbered(check.text, mapping), tuple(mapping.get(n, n) for n in check.markers),
                                        tuple(dataclasses.replace(c, number=mapping[c.number]) for c in check.citations)))
    abstained = all(a.abstained for a in answers)
    timed = [a for a in answers if a.first_token_seconds is not None]
    rated = [a for a in answers if a.tokens_per_second is not None]
    return Answer(
        question, abstention_text(question, " ".join(texts)) if abstained else " ".join(texts),
        unique_citations(checks), tuple(checks), abstained, passages, " ".join(reasons),
        model_text="\n\n".join(a.model_text for a in answers), evidence=answers[0].evidence,
        cancelled=any(a.cancelled for a in answers),
        first_token_seconds=timed[0].first_token_seconds if timed else None, tokens=sum(a.tokens for a in answers),
        tokens_per_second=rated[0].tokens_per_second if rated else None,
        notes=tuple(dict.fromkeys(n for a in answers for n in a.notes)),
        quoted=any(a.quoted for a in answers), parts=tuple(answers),
    )
