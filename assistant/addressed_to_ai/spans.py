"""Where a text addresses AI systems: its units (sentences, bracketed asides, heading and footnote
lines, since an instruction hides wherever a sentence splitter would not look), the text under a
heading addressed to AI (up to the next heading: that is where its instruction sits), and the text
with those spans blanked out or replaced by a note.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from assistant.addressed_to_ai.rules import (addresses_ai, addresses_ai_folded, addresses_ai_heading, fold,
                                             is_note_heading)
from assistant.text import is_heading, sentence_spans

NOTE = "[text addressed to AI systems omitted]"

Span = tuple[int, int]


# --- units: sentences, brackets, headings, footnotes -----------------------------------------

# Asides in brackets or braces, and hidden comments: a model reads them as part of the text, a
# reader skips them, which is why instructions are put there.
_BRACKETS = re.compile(r"\[[^\[\]\n]{3,400}\]|\{[^{}\n]{3,400}\}|\(\([^()]{3,400}\)\)|<!--.{3,600}?-->", re.S)
# A footnote line: it starts with a note marker ("¹", "*", "†", "[2]", "(3)", "[^1]:", "Footnote:").
_FOOTNOTE = re.compile(r"[ \t]*(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3}|\*{1,3}|†|‡|\[\d{1,3}\]|\(\d{1,3}\)|\[\^\w+\]:|"
                       r"(?:footnote|fussnote|fußnote|note\s+de\s+bas\s+de\s+page)\s*\d*\s*:)[ \t]*\S", re.I)
# A top-level clause line that is short and ends without a stop ("5. Conditions de paiement"):
# a heading in languages that do not capitalise every word.
_NUMBERED_HEADING = re.compile(r"[ \t]*(?:\d{1,3}\.?|article\s+\d+|artikel\s+\d+|§\s*\d+)[ \t]+[^\W\d_][^.!?;\n]{0,80}$",
                               re.I)


def _is_heading_line(line: str) -> bool:
    """A line that closes the text under an AI heading: a heading by assistant.text's rule (more
    than one word, or in capitals: a line break can leave a single capitalised word on a line of
    its own), or a short numbered top-level clause line."""
    stripped = line.strip()
    if not stripped:
        return False
    if is_heading(stripped) and (stripped.isupper() or len(stripped.split()) > 1):
        return True
    return bool(_NUMBERED_HEADING.match(line))


def _lines(text: str) -> list[Span]:
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def _segments(text: str, lines: list[Span]) -> list[Span]:
    """The text cut before every heading and footnote line and after every heading line, so a
    heading or a footnote is matched on its own, not as the tail of the sentence before it."""
    cuts = {0, len(text)}
    for start, end in lines:
        line = text[start:end]
        if _is_heading_line(line) or is_note_heading(fold(line)):
            cuts.update((start, end))
        elif _FOOTNOTE.match(line):
            cuts.add(start)
    ordered = sorted(cuts)
    return [(a, b) for a, b in zip(ordered, ordered[1:]) if text[a:b].strip()]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _scan(text: str, open_at_start: bool = False) -> tuple[list[Span], bool]:
    """Spans addressed to AI, and whether the text under an AI heading runs on past the end."""
    folded = fold(text)
    lines = _lines(text)
    spans: list[Span] = []

    # Brackets first, matched on their content; the sentence around them is then read without
    # them, so a legitimate sentence holding an aside is not lost with it.
    blanked = list(folded)
    for m in _BRACKETS.finditer(folded):
        inner = m.group(0).strip("[]{}()<>!-")
        if addresses_ai_folded(inner):
            spans.append((m.start(), m.end()))
            blanked[m.start():m.end()] = " " * (m.end() - m.start())
    reading = "".join(blanked)

    # Headings addressed to AI, as (start, end) of the heading itself: the text under one runs
    # from it to the next heading. Text that opens under such a heading (`open_at_start`: the
    # chunk's heading, or the previous page's) has no heading line of its own.
    headings: list[Span] = [(0, 0)] if open_at_start else []
    for seg_start, seg_end in _segments(text, lines):
        for a, b in sentence_spans(text[seg_start:seg_end]):
            start, end = _trim(text, seg_start + a, seg_start + b)
            unit = reading[start:end]
            if addresses_ai_folded(unit):
                spans.append((start, end))
                if is_note_heading(unit):
                    headings.append((start, end))

    runs_on = False
    for start, end in headings:
        region_end = _next_heading(text, lines, end)
        spans.append(_trim(text, start, region_end))
        runs_on = runs_on or region_end >= len(text)
    return merge(spans), runs_on


def _next_heading(text: str, lines: list[Span], after: int) -> int:
    """Where the text under an AI heading ending at `after` ends: the next heading line that does
    not itself address AI, else the end of the text."""
    for start, end in lines:
        if start < after:
            continue
        line = text[start:end]
        if _is_heading_line(line) and not addresses_ai(line):
            return start
    return len(text)


def merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def ai_spans(text: str, heading: str = "") -> list[Span]:
    """Character spans of `text` addressed to AI systems, merged, in order. `heading`: the heading
    the text sits under (a chunk's); when it addresses AI, the text up to the next heading does too."""
    return _scan(text, open_at_start=bool(heading) and addresses_ai_heading(heading))[0]


def page_spans(pages: Sequence) -> dict[int, list[Span]]:
    """Spans addressed to AI on each page of a document (pages with none are left out). The text
    under an AI heading carries over a page break until the next heading."""
    found, carry = {}, False
    for page in pages:
        spans, carry = _scan(page.text, open_at_start=carry)
        if spans:
            found[page.number] = spans
    return found


# --- leaving it out --------------------------------------------------------------------------

_MASK_FILL = "\u2002"  # an en space: whitespace to every text rule, and told apart from the page's own


def mask(text: str, spans: Sequence[Span]) -> str:
    """The text with each span blanked out, same length, so offsets into it still point at the
    same characters of the page. Each blank starts with a blank line, so no sentence of the rest
    runs on into it, and is filled with en spaces, so `neutralise` can tell where it was."""
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        length = end - start
        fill = "\n\n" + _MASK_FILL * (length - 2) if length >= 3 else " " * length
        out[start:end] = fill
    return "".join(out)


_MASKED = re.compile(rf"\n\n{_MASK_FILL}+")


def neutralise(text: str, heading: str = "") -> str:
    """The text as a model may read it: every span addressed to AI, and every span already
    masked, replaced by one short note."""
    masked = mask(text, ai_spans(text, heading))
    return _MASKED.sub(f"\n{NOTE}\n", masked).strip("\n") if _MASK_FILL in masked else masked
