"""Grounded answering: retrieve, check the evidence, prompt the model, stream, then verify.

`Answerer.ask` yields events in a fixed order: one `Sources` (the passages the model reads, before
any token), `Token`s as the model writes (none when it abstains before running the model), then
exactly one `Answer` or one `Failure`.

The answer abstains ("The documents do not answer ...", with the nearest passages) when the index
has no evidence (grounding/evidence.py), when the model says the passages do not contain the
answer, or when no sentence of what it wrote is supported by a passage (grounding/citations.py):
an answer nothing backs is the model's general knowledge, which is exactly what a contract
reviewer must not be given. Text in a document addressed to AI systems is left out of the
passages before anything reads them (grounding/ai_text.py), and the answer then carries a note
saying so. This module only orchestrates: retrieve, ground, prompt, verify.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Iterator, Protocol, Sequence

from assistant.clauses.checklist import Checklist
from assistant.errors import ClausewiseError
from assistant.generation.prompt import build_messages, excerpt, strip_label_echoes
from assistant.grounding.citations import (check_answer, is_refusal, quote_pointed_passages, unique_citations,
                                           with_verified_markers)
from assistant.grounding.ai_text import notes as ai_text_notes, without_ai_text
from assistant.grounding.evidence import gate, name_words
from assistant.grounding.running_lines import running_lines, strip_copied_running_lines
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import AnswerSettings
from assistant.text import normalise_space
from assistant.types import Answer, Event, Failure, SearchFilters, Sources, Token


class Generator(Protocol):
    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None) -> Iterator[str]: ...


def abstention_text(question: str, reason: str) -> str:
    return f"The documents do not answer this question. {reason}".strip()


class Answerer:
    def __init__(self, retriever: HybridRetriever, generator: Generator, settings: AnswerSettings = AnswerSettings(),
                 checklists: Sequence[Checklist] = ()):
        self.retriever = retriever
        self.generator = generator
        self.settings = settings
        self.checklists = tuple(checklists)  # whose items' signals tell a clause missing from a document

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

    def _ask(self, question, filters, history, cancel) -> Iterator[Event]:
        started = time.perf_counter()
        s = self.settings
        retrieval = self.retriever.retrieve(question, k=max(s.passages, 1), filters=self._scope(question, filters, history))
        index = self.retriever.index
        found = retrieval.hits[: s.passages]
        # Excerpts are cut after the text addressed to AI is blanked, so none centres on it.
        readable, _ = without_ai_text(index, found)
        passages = tuple(excerpt(h, question, s.excerpt_chars) for h in readable)
        notes = ai_text_notes(index, [h.chunk.source_id for h in found])
        yield Sources(passages)

        def abstain(reason: str, **extra) -> Answer:
            return Answer(question, abstention_text(question, reason), (), (), True, passages, reason,
                          notes=notes, **extra)

        if not passages:
            yield abstain("The only passages found are text addressed to AI systems, which is never used as evidence."
                          if found else "Nothing in the indexed documents matches it.")
            return
        routed = retrieval.routed or [passages[0].chunk.source_id]
        catalog = index.catalog
        evidence, reason = gate(catalog, question, routed, passages, self.checklists, s.coverage_threshold)
        if reason:
            yield abstain(reason, evidence=evidence)
            return

        running = {p.chunk.source_id: running_lines(index, p.chunk.source_id) for p in passages}
        messages = build_messages(question, passages, [(a.question, a.text) for a in history[-s.history_turns:]]
                                  if s.history_turns else (), running)
        pieces: list[str] = []
        first_token = None
        for piece in self.generator.stream(messages, max_tokens=s.max_tokens, temperature=0.0, cancel=cancel):
            if first_token is None:
                first_token = time.perf_counter()
            if cancel is not None and cancel.is_set():
                break
            pieces.append(piece)
            yield Token(piece)
        finished = time.perf_counter()
        model_text = "".join(pieces).strip()
        text = strip_label_echoes(model_text, passages)
        text = strip_copied_running_lines(text, frozenset().union(*running.values()))
        timing = dict(
            first_token_seconds=(first_token - started) if first_token else None,
            tokens=len(pieces),
            tokens_per_second=(len(pieces) - 1) / (finished - first_token)
            if first_token and len(pieces) > 1 and finished > first_token else None,
        )
        if cancel is not None and cancel.is_set():
            checks = tuple(check_answer(text, passages))
            yield Answer(question, text, unique_citations(checks), checks, False, passages,
                         model_text=model_text, evidence=evidence, cancelled=True, notes=notes, **timing)
            return
        if not text or is_refusal(text):
            yield abstain("The passages found do not contain the answer; the nearest are listed.",
                          model_text=model_text, evidence=evidence, **timing)
            return
        if not re.sub(r"\[\d+\]|[\s,;.]", "", text):
            text = quote_pointed_passages(question, text, passages)
        checks = tuple(check_answer(text, passages))
        if not any(c.supported for c in checks):
            yield abstain("No passage supports what the model wrote, so it is not shown as an answer.",
                          model_text=model_text, evidence=evidence, **timing)
            return
        yield Answer(question, with_verified_markers(checks), unique_citations(checks), checks, False, passages,
                     model_text=model_text, evidence=evidence, notes=notes, **timing)
