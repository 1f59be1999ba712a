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

from assistant.language import ENGLISH, FRENCH, GERMAN
from assistant.settings import ChunkerSettings
from assistant.store.lexical_forms import document_language
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

# German and French legal text numbers its units with words of its own: "Artikel 28", "§ 5",
# "Ziffer 3", "Anlage 2", "Kapitel III", "Abschnitt 4"; "Article 5", "Article 1er", "Annexe A",
# "Chapitre II", "Section 3", "Titre IV". Their items are written "a)" and "1)" as well as "(1)",
# and their capitals carry accents. English keeps the patterns above unchanged.
_INTL_KEYWORD = {
    GERMAN: r"(?:ARTIKEL|Artikel|Art\.|§§?|ZIFFER|Ziffer|Ziff\.|ANLAGE|Anlage|ANHANG|Anhang|KAPITEL|Kapitel"
            r"|ABSCHNITT|Abschnitt|TEIL|Teil|Absatz|Abs\.)",
    FRENCH: r"(?:ARTICLE|Article|Art\.|ANNEXE|Annexe|CHAPITRE|Chapitre|SECTION|Section|TITRE|Titre|PARTIE|Partie"
            r"|APPENDICE|Appendice)",
}
_CAPITALS = "A-ZÀ-ÖØ-Þ"  # A-Z with the accented capitals of German and French (Ä, Ö, Ü, É, È, Ç ...)
_INTL_NUMBER = r"(?:[0-9]+(?:er|re)?|[IVXLC]+|premier)[a-z]?"  # 28, 1er, IV, 5a, "premier"


def _intl_major(keyword: str) -> re.Pattern:
    return re.compile(
        r"^[^\S\n]*(?:"
        rf"{keyword}[^\S\n]*{_INTL_NUMBER}\b"  # Artikel 28, § 5, Article 1er, Chapitre II
        rf"|{keyword}[^\S\n]+[A-Z]\b"  # Anlage B, Annexe A
        rf"|\d{{1,3}}(?:\.\d{{1,3}}){{0,3}}\.?[^\S\n]+[{_CAPITALS}(\"“„«]"  # 4.1 Verarbeitung / 2. Le sous-traitant
        rf"|[{_CAPITALS}][{_CAPITALS}0-9 ,;&'’/\-]{{3,70}}[^\S\n]*$"  # SHORT UPPER-CASE HEADING
        r")",
        re.MULTILINE,
    )


_INTL_MINOR = re.compile(r"^[^\S\n]*(?:\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)|(?:[a-z]|\d{1,2})\))[^\S\n]+", re.MULTILINE)
# A German numbered paragraph, "(3) Die Verarbeitung ...": cited as "Artikel 28 Abs. 3".
_ABSATZ = re.compile(r"[^\S\n]*\((\d{1,2}[a-z]?)\)[^\S\n]+")


@dataclass(frozen=True)
class _Grammar:
    """How one language writes the lines that open a unit, and the numbers in its headings."""
    major: re.Pattern
    minor: re.Pattern
    number: re.Pattern  # the number part of a heading line ("12.3 ", "Artikel 28 ", "§ 5 ")
    keyword: re.Pattern | None = None  # a heading that is a reference: "Artikel 28", "§ 5"
    paragraph: re.Pattern | None = None  # a numbered paragraph refines the reference: "Abs. 3"


_ENGLISH = _Grammar(MAJOR_LINE, MINOR_LINE, re.compile(r"^(?:[\w]+ )?[\dIVXLC]+(?:\.\d+)*\.? ?"))


def _intl_grammar(language: str) -> _Grammar:
    keyword = _INTL_KEYWORD[language]
    return _Grammar(
        _intl_major(keyword), _INTL_MINOR,
        re.compile(rf"^(?:{keyword} ?|[\w]+ )?(?:{_INTL_NUMBER}|[A-Z]\b)(?:\.\d+)*\.? ?"),
        keyword=re.compile(rf"^({keyword}) ?({_INTL_NUMBER}|[A-Z]\b)"),
        paragraph=_ABSATZ if language == GERMAN else None,
    )


GRAMMARS = {ENGLISH: _ENGLISH, GERMAN: _intl_grammar(GERMAN), FRENCH: _intl_grammar(FRENCH)}


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
    reference: str = ""  # of a heading that is a reference ("Artikel 28", "§ 5"): that part
    paragraph: str = ""  # the number of the German paragraph it opens ("(3) ..." -> "3"), or ""


@dataclass(frozen=True)
class _InForce:
    """The heading in force, carried from unit to unit and across page breaks."""
    heading: str = ""
    reference: str = ""
    paragraph: str = ""

    @property
    def label(self) -> str:
        """What a chunk cites: the heading, or "Artikel 28 Abs. 3" inside a numbered paragraph."""
        return f"{self.reference} Abs. {self.paragraph}" if self.paragraph else self.heading

    def after(self, unit: _Unit) -> "_InForce":
        if unit.heading:
            return _InForce(unit.heading, unit.reference)
        if unit.paragraph and self.reference:
            return _InForce(self.heading, self.reference, unit.paragraph)
        return self


def chunk_pages(pages: list[Page] | tuple[Page, ...], settings: ChunkerSettings = ChunkerSettings(),
                language: str | None = None) -> list[ChunkSpan]:
    """Cut pages into chunks; the clause heading in force carries over page breaks. The
    document's language (detected from its first pages unless given) decides which headings and
    clause numbers are recognised: English, German or French."""
    grammar = GRAMMARS.get(language or document_language(p.text for p in pages), _ENGLISH)
    chunks: list[ChunkSpan] = []
    in_force = _InForce()
    for page in pages:
        page_chunks, in_force = _chunk_page(page, settings, in_force, grammar)
        chunks.extend(page_chunks)
    return chunks


def _chunk_page(page: Page, settings: ChunkerSettings, in_force: _InForce,
                grammar: _Grammar) -> tuple[list[ChunkSpan], _InForce]:
    text = page.text
    chunks: list[ChunkSpan] = []
    cur_start: int | None = None
    cur_end = 0
    cur_heading = in_force.label

    def flush():
        nonlocal cur_start
        if cur_start is not None:
            span = _trimmed(text, cur_start, cur_end)
            if span:
                chunks.append(ChunkSpan(page.number, span[0], span[1], text[span[0] : span[1]], cur_heading))
        cur_start = None

    for unit in _units(text, settings.max_chars, grammar):
        in_force = in_force.after(unit)
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
            cur_heading = in_force.label
        cur_end = unit.end
    flush()
    return chunks, in_force


def _units(text: str, max_chars: int, grammar: _Grammar = _ENGLISH) -> list[_Unit]:
    """Structural units of a page, each no longer than max_chars."""
    starts = {0: (False, "")}
    for m in grammar.minor.finditer(text):
        starts.setdefault(m.start(), (False, ""))
    for m in grammar.major.finditer(text):
        line_end = text.find("\n", m.start())
        line = text[m.start() : line_end if line_end != -1 else len(text)].strip()
        starts[m.start()] = (True, _heading_of(line, grammar.number))
    ordered = sorted(starts)
    units = []
    for i, start in enumerate(ordered):
        end = ordered[i + 1] if i + 1 < len(ordered) else len(text)
        major, heading = starts[start]
        first_line = text[start:end].strip().split("\n", 1)[0]
        heading_line = bool(heading) and normalise_space(first_line) == heading
        reference, paragraph = _reference(heading, grammar), ""
        if not major and grammar.paragraph is not None and (m := grammar.paragraph.match(text, start)):
            paragraph = m.group(1)
        for j, (a, b) in enumerate(cut_to_size(text, start, end, max_chars)):
            first = j == 0
            units.append(_Unit(a, b, major and first, heading if first else "", heading_line and first,
                               reference if first else "", paragraph if first else ""))
    return units


def _reference(heading: str, grammar: _Grammar) -> str:
    """The citable part of a heading in German or French: "§ 5" of "§5 Haftung", "Artikel 28"."""
    if not heading or grammar.keyword is None:
        return ""
    m = grammar.keyword.match(heading)
    return f"{m.group(1)} {m.group(2)}" if m else ""


_TITLE_CUT = re.compile(r"(?<=\w)[.:](?:\s|$)")


def _heading_of(line: str, number_pattern: re.Pattern = _ENGLISH.number) -> str:
    """The heading a clause line carries, or "" when it opens with running text.
    "12.3 Limitation of Liability. The Supplier..." -> "12.3 Limitation of Liability";
    "ARTICLE 28" and "4. LIABILITY" are headings whole; "4.1 Each party's total..." is not."""
    line = re.sub(r"\s+", " ", line).strip()
    number = number_pattern.match(line)
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
