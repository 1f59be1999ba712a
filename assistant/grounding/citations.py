"""Map an answer's citations back to document, page and character span, and check them.

Small local models cite badly: a marker goes missing, points at the wrong passage, or names a
passage that does not exist. So a marker is a hint, not the truth. Every sentence of the answer is
compared with the passages it cites; when the marker is missing or the cited passage does not
support the sentence, the passage that does is looked for among the others. A sentence that no
passage supports is flagged. Every quote is an exact slice of the stored passage text, so it is
found verbatim in its document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.store.catalog import STOPWORDS
from assistant.types import Hit

# Share of a sentence's content words that a passage must contain to support it.
SUPPORT_THRESHOLD = 0.5
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z\[(\"“])|\n{2,}")


@dataclass(frozen=True)
class Citation:
    number: int  # 1-based passage number in the prompt
    doc_name: str
    source_id: str
    page: int
    start: int  # character span of the quote in the page text
    end: int
    quote: str
    repaired: bool  # the model's marker was missing or wrong and the sentence was matched instead


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    markers: tuple[int, ...]
    citations: tuple[Citation, ...]

    @property
    def supported(self) -> bool:
        return bool(self.citations)


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def markers_in(sentence: str) -> tuple[int, ...]:
    numbers: list[int] = []
    for group in _MARKER.findall(sentence):
        for n in re.split(r"\s*[,;]\s*", group):
            if int(n) not in numbers:
                numbers.append(int(n))
    return tuple(numbers)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", _MARKER.sub(" ", text).lower()) if w not in STOPWORDS]


def support(sentence: str, passage: str) -> float:
    """Share of the sentence's content words that occur in the passage (0 when it has none)."""
    words = _words(sentence)
    if not words:
        return 0.0
    vocabulary = set(_words(passage))
    return sum(1 for w in words if w in vocabulary) / len(words)


def _quote_candidates(passage: str):
    """Sentence spans of the passage, and each without a leading heading line ("9. GOVERNING LAW")."""
    # A period between digits ("3.1", "12.5%") does not end a sentence.
    for match in re.finditer(r"[^.;!?\n](?:[^.;!?]|(?<=\d)\.(?=\d))*[.;!?]?", passage):
        start, end = match.start(), match.end()
        while start < end and passage[start].isspace():
            start += 1
        while end > start and passage[end - 1].isspace():
            end -= 1
        if end - start < 3:
            continue
        yield start, end
        newline = passage.find("\n", start, end)
        if newline != -1 and _is_heading(passage[start:newline]):
            rest = newline + 1
            while rest < end and passage[rest].isspace():
                rest += 1
            if end - rest >= 3:
                yield rest, end


def _is_heading(line: str) -> bool:
    words = line.split()
    return bool(words) and len(words) <= 8 and (line.isupper() or all(w[0].isupper() or w[0].isdigit() for w in words))


def best_quote(sentence: str, passage: str) -> tuple[int, int]:
    """The span of the passage that shares most words with the answer sentence; the shorter
    span wins a tie, so a heading line is not quoted along with the clause under it."""
    best, best_key = (0, len(passage)), (-1.0, 0)
    for start, end in _quote_candidates(passage):
        key = (support(sentence, passage[start:end]), -(end - start))
        if key > best_key:
            best, best_key = (start, end), key
    return best


def _cite(number: int, hit: Hit, sentence: str, repaired: bool) -> Citation:
    start, end = best_quote(sentence, hit.text)
    return Citation(
        number=number, doc_name=hit.doc_name, source_id=hit.chunk.source_id, page=hit.page,
        start=hit.chunk.start + start, end=hit.chunk.start + end, quote=hit.text[start:end], repaired=repaired,
    )


def check_answer(answer: str, passages: Sequence[Hit]) -> list[SentenceCheck]:
    """One check per sentence: the citations it is backed by (repaired where needed)."""
    checks = []
    for sentence in split_sentences(answer):
        markers = markers_in(sentence)
        valid = [n for n in markers if 1 <= n <= len(passages)]
        cited = [n for n in valid if support(sentence, passages[n - 1].text) >= SUPPORT_THRESHOLD]
        citations = [_cite(n, passages[n - 1], sentence, repaired=False) for n in cited]
        if not citations:
            scores = [(support(sentence, p.text), n) for n, p in enumerate(passages, start=1)]
            score, n = max(scores, default=(0.0, 0))
            if score >= SUPPORT_THRESHOLD:
                citations = [_cite(n, passages[n - 1], sentence, repaired=True)]
        checks.append(SentenceCheck(sentence, markers, tuple(citations)))
    return checks


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def quote_is_verbatim(quote: str, page_text: str) -> bool:
    """True when the quote occurs in the page text after whitespace normalisation."""
    return bool(quote.strip()) and normalise_space(quote) in normalise_space(page_text)
