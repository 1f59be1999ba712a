"""Structure-aware chunking for contracts and regulations.

Contracts are made of numbered clauses, headings, schedules and annexes; a citation should show
one clause, not a window cut at a blind character count. So a page is first cut at structural
boundaries (lines that open a clause, an article, a heading, a schedule), and the pieces are then
packed into chunks that stay inside the embedder's window. Every chunk is an exact slice of its
page: page.text[start:end] == chunk text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.settings import ChunkerSettings
from assistant.text import is_heading, normalise_space
from assistant.types import Page

# Lines that open a new unit. "Major" ones (clauses, articles, headings) start a chunk of their
# own once the current one has some substance; "minor" ones ((a), (iv)) are preferred cut points.
_KEYWORD = r"(?:ARTICLE|Article|SECTION|Section|CLAUSE|Clause|SCHEDULE|Schedule|ANNEX|Annex|EXHIBIT|Exhibit|APPENDIX|Appendix|PART|Part)"
MAJOR_LINE = re.compile(
    r"^[^\S\n]*(?:"
    rf"{_KEYWORD}[^\S\n]+[0-9IVXLC]+[A-Za-z]?\b"  # Article 28, SCHEDULE 2, Exhibit A is below
    rf"|{_KEYWORD}[^\S\n]+[A-Z]\b"  # Exhibit A, Annex B
    r"|\d{1,3}(?:\.\d{1,3}){0,3}\.?[^\S\n]+[A-Z(\"“]"  # 12.  Term / 12.3 The Supplier ...
    r"|[A-Z][A-Z0-9 ,;&'’/\-]{3,70}[^\S\n]*$"  # SHORT UPPER-CASE HEADING
    r")",
    re.MULTILINE,
)
MINOR_LINE = re.compile(r"^[^\S\n]*\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)[^\S\n]+", re.MULTILINE)
# Preferred places to cut an over-long unit, best first.
_CUT_PATTERNS = (re.compile(r"\n[^\S\n]*\n"), re.compile(r"[.;:][\"”)]?\s"), re.compile(r"\n"), re.compile(r"\s"))


@dataclass(frozen=True)
class ChunkSpan:
    page: int
    start: int
    end: int
    text: str
    heading: str


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    major: bool
    heading: str  # the heading this unit opens, or ""
    heading_line: bool = False  # opens with a line that is only a heading ("4. LIABILITY")


def chunk_pages(pages: list[Page] | tuple[Page, ...], settings: ChunkerSettings = ChunkerSettings()) -> list[ChunkSpan]:
    """Cut pages into chunks; the clause heading in force carries over page breaks."""
    chunks: list[ChunkSpan] = []
    heading = ""
    for page in pages:
        page_chunks, heading = _chunk_page(page, settings, heading)
        chunks.extend(page_chunks)
    return chunks


def _chunk_page(page: Page, settings: ChunkerSettings, heading: str) -> tuple[list[ChunkSpan], str]:
    text = page.text
    chunks: list[ChunkSpan] = []
    cur_start: int | None = None
    cur_end = 0
    cur_heading = heading

    def flush():
        nonlocal cur_start
        if cur_start is not None:
            span = _trimmed(text, cur_start, cur_end)
            if span:
                chunks.append(ChunkSpan(page.number, span[0], span[1], text[span[0] : span[1]], cur_heading))
        cur_start = None

    for unit in _units(text, settings.max_chars):
        if unit.heading:
            heading = unit.heading
        size = unit.end - (cur_start if cur_start is not None else unit.start)
        too_big = size > settings.max_chars
        current = cur_end - cur_start if cur_start is not None else 0
        # A clause starts a new chunk once the current one has substance; a heading line starts
        # one sooner, so that a section opens its own chunk rather than trailing the previous one.
        new_section = unit.major and cur_start is not None and (
            current >= settings.min_chars or (unit.heading_line and current >= settings.min_chars // 3)
        )
        if cur_start is not None and (too_big or new_section):
            flush()
        if cur_start is None:
            cur_start = unit.start
            cur_heading = heading
        cur_end = unit.end
    flush()
    return chunks, heading


def _units(text: str, max_chars: int) -> list[_Unit]:
    """Structural units of a page, each no longer than max_chars."""
    starts = {0: (False, "")}
    for m in MINOR_LINE.finditer(text):
        starts.setdefault(m.start(), (False, ""))
    for m in MAJOR_LINE.finditer(text):
        line_end = text.find("\n", m.start())
        line = text[m.start() : line_end if line_end != -1 else len(text)].strip()
        starts[m.start()] = (True, _heading_of(line))
    ordered = sorted(starts)
    units = []
    for i, start in enumerate(ordered):
        end = ordered[i + 1] if i + 1 < len(ordered) else len(text)
        major, heading = starts[start]
        first_line = text[start:end].strip().split("\n", 1)[0]
        heading_line = bool(heading) and normalise_space(first_line) == heading
        for j, (a, b) in enumerate(cut_to_size(text, start, end, max_chars)):
            units.append(_Unit(a, b, major and j == 0, heading if j == 0 else "", heading_line and j == 0))
    return units


_TITLE_CUT = re.compile(r"(?<=\w)[.:](?:\s|$)")


def _heading_of(line: str) -> str:
    """The heading a clause line carries, or "" when it opens with running text.
    "12.3 Limitation of Liability. The Supplier..." -> "12.3 Limitation of Liability";
    "ARTICLE 28" and "4. LIABILITY" are headings whole; "4.1 Each party's total..." is not."""
    line = re.sub(r"\s+", " ", line).strip()
    number = re.match(r"^(?:[\w]+ )?[\dIVXLC]+(?:\.\d+)*\.? ?", line)
    body = line[number.end() if number else 0 :]
    cut = _TITLE_CUT.search(body)
    title = body[: cut.start()] if cut else body
    words = title.split()
    if not words:
        return line[:80] if number else ""
    looks_like_title = len(words) <= 8 and is_heading(title)
    if len(title) <= 80 and (looks_like_title or not cut and len(words) <= 6):
        return line[: (number.end() if number else 0) + len(title)].strip()
    return ""


def embedding_windows(text: str, window_chars: int) -> list[str]:
    """Consecutive pieces of a chunk, cut at sentence ends, each at most window_chars long."""
    pieces = [text[a:b].strip() for a, b in cut_to_size(text, 0, len(text), window_chars)]
    return [p for p in pieces if p] or [text]


def cut_to_size(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into spans of at most max_chars. Not a sentence splitter: a span too
    long is cut at its last good break within the size, a blank line first, then a clause end
    (.;: before a space), then a line end, then a space."""
    pieces = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = None
        for pattern in _CUT_PATTERNS:
            found = [m.end() for m in pattern.finditer(window) if m.end() > max_chars // 3]
            if found:
                cut = found[-1]
                break
        cut = cut or max_chars
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
