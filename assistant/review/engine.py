"""The review engine: every item of a checklist asked of every document, with cited evidence.

For one document and one item:
1. Candidates: the document's sentences that match one of the item's signals (the wording such a
   clause nearly always has: "governed by", "liquidated damages"). None means "not found": the
   model is not asked, which keeps "found" precise and a review quick.
1b. A learned detector (clauses/detectors.py), where one beat the signals on labelled contracts,
   rates each candidate: none at its threshold is "not found" without asking the model; only the
   ones it accepts go on, the likeliest first.
2. The candidates are ranked: a full sentence before a bare heading or table header, an
   operative clause before a recital, then by how many of the item's signals they match, then by
   a hybrid search inside that document alone (the item's question and hints). An item stated in
   a contract's opening lines (its parties, its date) takes the first matching sentence instead. The best few
   are shown to the model with the item's definition.
3. The model answers YES or NO and copies the value. YES is "found", with the best-ranked
   candidate as evidence (and the runner-up when it is as strong); NO, or a reply that cannot be
   read, is "unclear": the wording is there but the model does not judge it to be the clause, so
   a person should look. YES for an item whose measured precision is below PRECISION_BAR, or
   marked `verdict = "check"`, is "wording to check", not "found".
Every quote is cut from the page text and checked against it; a value is kept only when it occurs
in the quote. Text addressed to AI systems is never a candidate (clauses/candidates.py blanks it). Cells are cached by document hash, checklist id and version, model and detectors.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from assistant.clauses.candidates import MAX_QUOTE, Candidate, Document, candidates, load_document
from assistant.clauses.checklist import Checklist, Item
from assistant.clauses.detectors import Detectors, heading_at, load_detectors
from assistant.grounding.ai_text import without_ai_text
from assistant.grounding.citations import quote_is_verbatim
from assistant.store.review_cache import ReviewCache
from assistant.review.values import extract_value
from assistant.text import content_words, normalise_space
from assistant.types import Cell, Quote, ReviewStatus, SearchFilters

MAX_EXCERPTS = 3  # candidates the model reads per item
SEARCH_K = 12
SHIPPED = "shipped"  # Reviewer(detectors=SHIPPED): the shipped detectors (assistant/clauses/detectors/)
RANK_BY_SCORE = True  # with a detector, the candidate it scores highest is the evidence
# "found" is a verdict: an item whose "found" was right less often than this on labelled contracts
# (its detector's out-of-fold precision) reports "wording to check" instead. On the tune part of
# cuad100, out of fold: with no bar, "found" over all items was right 0.903 of the time (accuracy
# 0.901); with 0.7, 0.931 (accuracy 0.893): a margin above 0.90 for contracts nobody tuned on.
PRECISION_BAR = 0.7

INSTRUCTION = (
    "You check documents clause by clause. You are given a clause, its definition, and numbered "
    "excerpts from one document. Decide whether an excerpt shows that the document contains that "
    "clause as defined. Reply with exactly three lines:\n"
    "ANSWER: YES or NO\n"
    "EXCERPT: the number of the excerpt that shows it, or NONE\n"
    "VALUE: {value}, copied from that excerpt, or NONE"
)
VALUE_ASKED = {
    "none": "NONE", "text": "a few words stating the term", "period": "the period of time",
    "date": "the date", "place": "the state or country", "amount": "the amount or limit",
    "parties": "the names of the parties",
}


@dataclass(frozen=True)
class ReviewProgress:
    done: int
    total: int
    document: str
    item: str


def parse_reply(reply: str, excerpts: int) -> tuple[bool | None, int | None, str]:
    """(yes / no / None when unreadable, excerpt number or None, value or "") from the model's reply."""
    answer = re.search(r"ANSWER\s*:\s*\**\s*(YES|NO)\b", reply, re.IGNORECASE)
    if answer is None:
        answer = re.match(r"\s*\**\s*(YES|NO)\b", reply, re.IGNORECASE)
    verdict = None if answer is None else answer.group(1).upper() == "YES"
    number = re.search(r"EXCERPT\s*:\s*\[?(\d+)", reply, re.IGNORECASE)
    chosen = int(number.group(1)) if number and 1 <= int(number.group(1)) <= excerpts else None
    value = re.search(r"VALUE\s*:\s*(.+)", reply, re.IGNORECASE)
    text = value.group(1).strip().strip('"').strip() if value else ""
    return verdict, chosen, "" if text.upper().rstrip(".") in ("NONE", "N/A", "") else text


def verified_value(value: str, quote: str, kind: str) -> str:
    """The model's value when the quote holds it (as the quote spells it), else one read from the
    quote by the kind's pattern, else nothing: a value the document does not say is never shown."""
    if kind == "none":
        return ""
    if value:
        at = normalise_space(quote).lower().find(normalise_space(value).lower())
        if at >= 0:
            return normalise_space(quote)[at:at + len(normalise_space(value))]
    return extract_value(quote, kind)


class Reviewer:
    """Reviews documents of one index. `generator` streams text (llama.cpp, a server, or a scripted
    stand-in in tests); `model` names it for the cache."""

    def __init__(self, index, retriever, generator, model: str, cache: ReviewCache | None = None,
                 detectors: Detectors | str | None = SHIPPED):
        self.index, self.retriever, self.generator = index, retriever, generator
        self.detectors = load_detectors() if detectors == SHIPPED else detectors
        # The cache keys cells by model; the detectors decide cells too, so they key them as well.
        self.model = model if self.detectors is None else f"{model} +detectors:{self.detectors.fingerprint}"
        self.cache = cache
        self._chunks: dict = {}  # source id -> its chunks (for their headings), one document at a time

    def review(self, checklist: Checklist, source_ids: Sequence[str] | None = None,
               progress: Callable[[ReviewProgress], None] | None = None,
               cancel: threading.Event | None = None) -> Iterator[Cell]:
        """Cells for every document and item, document by document; cached cells come first
        without any work. Stops between cells when `cancel` is set."""
        if source_ids is None:
            source_ids = [d.source_id for d in self.index.catalog.documents()]
        total, done = len(source_ids) * len(checklist.items), 0
        for source_id in source_ids:
            cached = self.cache.cells(source_id, checklist, self.model) if self.cache else {}
            document = None
            for item in checklist.items:
                if cancel is not None and cancel.is_set():
                    return
                cell = cached.get(item.id)
                if cell is None:
                    document = document or load_document(self.index.catalog, source_id)
                    cell = self.review_item(document, checklist, item, cancel)
                    if cancel is not None and cancel.is_set():
                        return  # a cell cut short by cancel is neither cached nor reported
                    if self.cache:
                        self.cache.put(cell, checklist, self.model)
                done += 1
                if progress:
                    progress(ReviewProgress(done, total, cell.doc, item.label))
                yield cell

    def review_item(self, document: Document, checklist: Checklist, item: Item,
                    cancel: threading.Event | None = None) -> Cell:
        began = time.perf_counter()

        def cell(status: str, reason: str, evidence: Sequence[Quote] = (), value: str = "", reply: str = ""):
            return Cell(document.source_id, document.name, item.id, status, value, tuple(evidence), reason,
                        model_reply=reply, seconds=time.perf_counter() - began)

        if not checklist.applies_to(document.text):
            return cell(ReviewStatus.NOT_FOUND, "The document is outside this checklist's subject "
                                   f"(it never matches: {', '.join(checklist.requires)}).")
        matches = candidates(document, item) if item.signals else []
        if item.signals and not matches:
            return cell(ReviewStatus.NOT_FOUND, "No sentence in the document has the wording this clause usually has.")
        ranked = self._rank(document, item, matches)
        detector = self.detectors.for_item(item) if self.detectors is not None and item.signals else None
        if detector is not None and detector.mode == "both":
            chunks = self._document_chunks(document.source_id)
            ranked = [dataclasses.replace(c, score=detector.probability(c.text, heading_at(chunks, c.page, c.start)))
                      for c in ranked]
            best = max(c.score for c in ranked)
            if best < detector.threshold:
                return cell(ReviewStatus.NOT_FOUND,
                            "Sentences have this clause's usual wording, but none reads like the clause itself "
                            f"(the learned detector's likeliest is {best:.2f}, below {detector.threshold:.2f}).")
            # Only sentences the detector accepts are shown and quoted; among them, the one it
            # finds likeliest first (a date stated in the opening lines keeps reading order).
            ranked = [c for c in ranked if c.score >= detector.threshold]
            if RANK_BY_SCORE and item.evidence != "first":
                ranked.sort(key=lambda c: (c.heading, c.recital, -c.score, *c.order[2:]))
        ranked = ranked[:MAX_EXCERPTS]
        reply = self._ask(item, ranked, cancel)
        verdict, _chosen, value = parse_reply(reply, len(ranked))
        quotes = [self._quote(document, c) for c in ranked]
        if verdict is None:
            return cell(ReviewStatus.UNCLEAR, "The model's reply could not be read; check the passages.", quotes, reply=reply)
        if not verdict:
            return cell(ReviewStatus.UNCLEAR, "The document has this clause's usual wording, but the model judged it "
                                 "not to be the clause; check the passages.", quotes, reply=reply)
        # The evidence is the best-ranked candidate, not the excerpt the model names: on the dev
        # labels the ranking's first pick overlapped the annotated clause more often (77 % against
        # 58 %). A clause often spans sentences (an appointment and the ban on selling to others),
        # so the runner-up is shown too when the ranking cannot tell it apart by its wording. The
        # model's value is kept when a quote holds it.
        evidence = quotes[:2] if len(ranked) > 1 and ranked[1].as_strong_as(ranked[0]) else quotes[:1]
        kept = next((v for v in (verified_value(value, q.quote, item.value) for q in evidence) if v), "")
        if item.verdict == "check":
            return cell(ReviewStatus.TO_CHECK, "Wording to check: this item's signals are written broad, and how often "
                        "they are right has not been measured on labelled contracts.", evidence, kept, reply=reply)
        if detector is not None and detector.precision < PRECISION_BAR:
            return cell(ReviewStatus.TO_CHECK, "Wording to check: on labelled contracts, a passage like this was the "
                        f"clause {detector.precision:.0%} of the time.", evidence, kept, reply=reply)
        return cell(ReviewStatus.FOUND, "", evidence, kept, reply=reply)

    def _document_chunks(self, source_id: str) -> list:
        if source_id not in self._chunks:
            self._chunks = {source_id: self.index.catalog.window_texts(source_id)[1]}  # one document at a time
        return self._chunks[source_id]

    def _rank(self, document: Document, item: Item, matches) -> list[Candidate]:
        query = " ".join([item.question, *item.hints])
        hits = self.retriever.search(query, k=SEARCH_K, filters=SearchFilters(documents=(document.source_id,)))
        if not item.signals:  # nothing to match: the search's own passages are the candidates
            hits, _ = without_ai_text(self.index, hits)  # less their text addressed to AI systems
            return [Candidate(h.chunk.page, h.chunk.start, h.chunk.start + len(h.chunk.text[:MAX_QUOTE]),
                              h.chunk.text[:MAX_QUOTE], rank) for rank, h in enumerate(hits, start=1)]

        def rank_of(page: int, start: int, end: int) -> int:
            return next((rank for rank, h in enumerate(hits, start=1)
                         if h.chunk.page == page and h.chunk.start < end and start < h.chunk.end), SEARCH_K + 1)

        wanted = set(content_words(query))
        ranked = [Candidate(page, start, end, text, rank_of(page, start, end), item.signal_count(text),
                            len(wanted & set(content_words(text)))) for page, start, end, text in matches]
        return sorted(ranked, key=lambda c: c.reading_order if item.evidence == "first" else c.order)

    def _ask(self, item: Item, excerpts: Sequence[Candidate], cancel) -> str:
        numbered = "\n\n".join(f"[{n}] (page {c.page}) {normalise_space(c.text)}"
                               for n, c in enumerate(excerpts, start=1))
        messages = [
            {"role": "system", "content": INSTRUCTION.format(value=VALUE_ASKED[item.value])},
            {"role": "user", "content": f"Clause: {item.label}\nDefinition: {item.definition or item.question}\n"
                                        f"Question: {item.question}\n\nExcerpts:\n{numbered}"},
        ]
        return "".join(self.generator.stream(messages, max_tokens=48, temperature=0.0, cancel=cancel))

    def _quote(self, document: Document, candidate: Candidate) -> Quote:
        page = next(p for p in document.pages if p.number == candidate.page)
        quote = page.text[candidate.start:candidate.end].strip()
        return Quote(candidate.page, normalise_space(quote), candidate.start, candidate.end,
                     quote_is_verbatim(quote, page.text))
