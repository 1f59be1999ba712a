"""Grounded answering: retrieve, check the evidence, prompt the model, stream, then verify.

`Answerer.ask` yields events in a fixed order: one `Sources` (the passages the model reads, before
any token), `Token`s as the model writes (none when it abstains before running the model), then
exactly one `Answer` or one `Failure`.

The answer abstains ("The documents do not answer ...", with the nearest passages) when the index
has no evidence (evidence.py), when the model says the passages do not contain the answer, or
when no sentence of what it wrote is supported by a passage: an answer nothing backs is the
model's general knowledge, which is exactly what a contract reviewer must not be given.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator, Protocol, Sequence

from assistant.errors import ClausewiseError
from assistant.generation.citations import Citation, SentenceCheck, best_quote, check_answer
from assistant.generation.evidence import Evidence, assess, documents_named, name_words
from assistant.generation.prompt import AnswerSettings, build_messages, excerpt, strip_label_echoes
from assistant.generation.running_lines import running_lines, strip_copied_running_lines
from assistant.retrieval.hybrid import HybridRetriever
from assistant.review.checklist import Checklist
from assistant.review.presence import absent_clauses
from assistant.types import Hit, SearchFilters

_REFUSALS = re.compile(
    r"^\W*not\s+found|passages?\s+(do|does)\s+not\s+(contain|say|mention|specify|provide)|"
    r"(documents?|passages?)\s+(do|does)\s+not\s+(say|state|mention)|no\s+information\s+(about|on)|"
    r"^\W*(\[\d+\]\s*)?no\s[^.]{0,80}?\b(is|are|was|were)\s+(mentioned|specified|stated|provided|given)\b",
    re.IGNORECASE,
)


def is_refusal(text: str) -> bool:
    """The model said the passages do not hold the answer: in words, or as NOT FOUND, which small
    models also write once per passage ("[1] NOT FOUND [2] NOT FOUND")."""
    bare = re.sub(r"\[\d+\]|[^\w\s]", " ", text).lower().split()
    return bool(_REFUSALS.search(text)) or (bare[:2] == ["not", "found"] and set(bare) <= {"not", "found"})


class Generator(Protocol):
    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None) -> Iterator[str]: ...


@dataclass(frozen=True)
class Sources:
    passages: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # shown to the user: the model's sentences with verified markers, or the abstention
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceCheck, ...]
    abstained: bool
    passages: tuple[Hit, ...]  # what the model read; the nearest passages when abstaining
    reason: str = ""  # why it abstained, in plain words
    model_text: str = ""  # what the model wrote, unedited
    evidence: Evidence = field(default_factory=Evidence)
    cancelled: bool = False
    first_token_seconds: float | None = None
    tokens: int = 0
    tokens_per_second: float | None = None

    @property
    def unsupported(self) -> list[str]:
        """Sentences that no passage supports (flagged to the user)."""
        return [s.text for s in self.sentences if not s.supported]

    @property
    def documents(self) -> list[str]:
        """Source ids this answer is about: its citations', else its passages'."""
        ids = [c.source_id for c in self.citations] or [p.chunk.source_id for p in self.passages]
        return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class Failure:
    message: str


Event = Sources | Token | Answer | Failure


def abstention_text(question: str, reason: str) -> str:
    return f"The documents do not answer this question. {reason}".strip()


def _with_verified_markers(checks: Sequence[SentenceCheck]) -> str:
    """The answer with each sentence's markers replaced by the passages that really support it."""
    parts = []
    for check in checks:
        sentence = re.sub(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]", "", check.text).strip()
        markers = "".join(f" [{n}]" for n in sorted({c.number for c in check.citations}))
        end = len(sentence.rstrip(".!?:;"))
        parts.append(sentence[:end] + markers + sentence[end:])
    return " ".join(parts)


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
        question = " ".join(question.split())
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
        passages = tuple(excerpt(h, question, s.excerpt_chars) for h in retrieval.hits[: s.passages])
        yield Sources(passages)

        def abstain(reason: str, **extra) -> Answer:
            return Answer(question, abstention_text(question, reason), (), (), True, passages, reason, **extra)

        if not passages:
            yield abstain("Nothing in the indexed documents matches it.")
            return
        routed = retrieval.routed or [passages[0].chunk.source_id]
        catalog = self.retriever.index.catalog
        evidence = assess(catalog, question, routed)
        doc = passages[0].doc_name if len(routed) == 1 and passages[0].chunk.source_id == routed[0] else None
        reason = ""
        if evidence.unknown_names:
            names = ", ".join(f'"{n}"' for n in evidence.unknown_names)
            reason = f"No indexed document mentions {names}."
        elif absent := absent_clauses(catalog, question, about := documents_named(catalog, question, routed),
                                      self.checklists):
            evidence = dataclasses.replace(evidence, absent_clauses=tuple(item.id for item in absent))
            labels = " or ".join(dict.fromkeys(_lower_first(item.label) for item in absent))
            names = " and ".join(catalog.document(source_id).name for source_id in about)
            reason = (f"{names} {'has' if len(about) == 1 else 'have'} no clause on {labels}: no sentence has "
                      "the wording such a clause usually has. The nearest passages are listed.")
        elif evidence.coverage < s.coverage_threshold:
            missing = ", ".join(f'"{w}"' for w in evidence.missing[:4])
            reason = f"{doc or 'The document'} does not mention {missing}; the nearest passages are listed."
        if reason:
            yield abstain(reason, evidence=evidence)
            return

        running = {p.chunk.source_id: running_lines(catalog, p.chunk.source_id) for p in passages}
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
            yield Answer(question, text, _unique_citations(checks), checks, False, passages,
                         model_text=model_text, evidence=evidence, cancelled=True, **timing)
            return
        if not text or is_refusal(text):
            yield abstain("The passages found do not contain the answer; the nearest are listed.",
                          model_text=model_text, evidence=evidence, **timing)
            return
        if not re.sub(r"\[\d+\]|[\s,;.]", "", text):
            text = _quote_pointed_passages(question, text, passages)
        checks = tuple(check_answer(text, passages))
        if not any(c.supported for c in checks):
            yield abstain("No passage supports what the model wrote, so it is not shown as an answer.",
                          model_text=model_text, evidence=evidence, **timing)
            return
        yield Answer(question, _with_verified_markers(checks), _unique_citations(checks), checks, False, passages,
                     model_text=model_text, evidence=evidence, **timing)


def _lower_first(label: str) -> str:
    """'Audit rights' -> 'audit rights', but 'IP ownership' stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _quote_pointed_passages(question: str, text: str, passages: Sequence[Hit]) -> str:
    """Small models sometimes answer with markers alone ("[1] [2]"): they point at the passage
    that answers. The answer is then that passage's sentence closest to the question, quoted."""
    numbers = [n for n in dict.fromkeys(int(m) for m in re.findall(r"\[(\d+)\]", text)) if 1 <= n <= len(passages)]
    quotes = []
    for n in numbers[:2]:
        start, end = best_quote(question, passages[n - 1].text)
        quote = " ".join(passages[n - 1].text[start:end].split()).rstrip(".;:")
        quotes.append(f"“{quote}” [{n}].")
    return " ".join(quotes)


def _unique_citations(checks: Sequence[SentenceCheck]) -> tuple[Citation, ...]:
    seen: dict[tuple, Citation] = {}
    for check in checks:
        for c in check.citations:
            seen.setdefault((c.source_id, c.page, c.start, c.end), c)
    return tuple(seen.values())

