"""Whole sentences of the passages the model read: what an answer may quote.

A passage the model reads is an excerpt, cut to a character budget (generation/prompt.py), so its
first and last sentences may be cut. What the user is shown is never cut: each sentence that
overlaps a passage is taken whole from its page, with its offsets in the page text, so a quote is
verbatim and starts and ends where a sentence does. A heading line before a sentence ("9.
GOVERNING LAW") names the clause and is not part of the quote. A "sentence" that runs on past
`LONG` characters (a clause of "(a) ...; (b) ..." parts, or a table, which has no full stops) is
cut at semicolons and then at line ends, still whole parts of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.text import is_heading, sentence_spans
from assistant.types import Citation, Hit

LONG = 600  # characters; beyond this a unit is split at semicolons, then at line ends
MIN_UNIT = 20  # characters; shorter pieces are headings or numbers, not statements


@dataclass(frozen=True)
class Unit:
    """One whole sentence of a passage's page, addressed by page offsets."""
    number: int  # the passage's 1-based number in the prompt
    hit: Hit
    start: int
    end: int
    text: str
    ordinal: int  # position among all units, in passage order
    clause: str  # the heading line nearest above it on its page ("9. GOVERNING LAW"), else its chunk's

    def citation(self) -> Citation:
        return Citation(number=self.number, doc_name=self.hit.doc_name, source_id=self.hit.chunk.source_id,
                        page=self.hit.page, start=self.start, end=self.end, quote=self.text, repaired=False)


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= LONG:
        return [(start, end)]
    pieces = [(start + a, start + b) for a, b in sentence_spans(text[start:end], ".;!?")]
    out = []
    for a, b in pieces:
        if b - a <= LONG:
            out.append((a, b))
            continue
        for m in re.finditer(r"[^\n]+", text[a:b]):
            out.append((a + m.start(), a + m.end()))
    return out


def _without_heading(text: str, start: int, end: int) -> tuple[int, int]:
    """The span past any heading lines it starts with, when text follows them."""
    while True:
        newline = text.find("\n", start, end)
        if newline < 0:
            return start, end
        line = text[start:newline]
        rest = text[newline + 1:end]
        if not (is_heading(line) or re.fullmatch(r"\s*[\dIVXivx.()]+\s*", line)) or len(rest.strip()) < MIN_UNIT:
            return start, end
        start = newline + 1
        while start < end and text[start].isspace():
            start += 1


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clause_above(page: str, start: int, reach: int = 3000) -> str:
    """The last heading line before `start`, looking back at most `reach` characters."""
    lines = page[max(0, start - reach):start].split("\n")
    for line in reversed(lines[:-1] if len(lines) > 1 else []):
        if line.strip() and is_heading(line):
            return line.strip()
    return ""


def passage_units(passages: Sequence[Hit], page_text: Callable[[Hit], str | None]) -> list[Unit]:
    """Every whole sentence that overlaps a passage, in passage order, each once. `page_text`:
    the text of the hit's page (the catalog's), or None where it is missing; the hit's own text
    then stands in for it, with the hit's offsets."""
    units: list[Unit] = []
    seen: set[tuple[str, int, int, int]] = set()
    for number, hit in enumerate(passages, start=1):
        chunk = hit.chunk
        page = page_text(hit)
        if page is None or page[chunk.start:chunk.end] != chunk.text:
            page, offset = chunk.text, chunk.start
            lo, hi = 0, len(page)
        else:
            offset, lo, hi = 0, chunk.start, chunk.end
        for s, e in sentence_spans(page):
            if e <= lo or s >= hi:
                continue
            for a, b in _split_long(page, s, e):
                a, b = _trimmed(page, *_without_heading(page, *_trimmed(page, a, b)))
                if b - a < MIN_UNIT or is_heading(page[a:b]):
                    continue
                key = (chunk.source_id, chunk.page, offset + a, offset + b)
                if key in seen:
                    continue
                seen.add(key)
                units.append(Unit(number, hit, offset + a, offset + b, page[a:b], len(units),
                                  _clause_above(page, a) or chunk.heading))
    return units
