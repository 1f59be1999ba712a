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
from typing import Sequence

from assistant.text import STOPWORDS, is_heading, normalise_space, sentence_spans, sentences
from assistant.types import Citation, Hit, SentenceCheck

# Share of a sentence's content words that a passage must contain to support it.
SUPPORT_THRESHOLD = 0.5
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def split_sentences(text: str) -> list[str]:
    return sentences(text)


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
    """Sentence spans of the passage (a clause's parts, cut at ';', quoted on their own), and each
    without a leading heading line ("9. GOVERNING LAW")."""
    for start, end in sentence_spans(passage, stops=".;!?"):
        while end > start and passage[end - 1].isspace():
            end -= 1
        if end - start < 3:
            continue
        yield start, end
        newline = passage.find("\n", start, end)
        if newline != -1 and is_heading(passage[start:newline]):
            rest = newline + 1
            while rest < end and passage[rest].isspace():
                rest += 1
            if end - rest >= 3:
                yield rest, end


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


def quote_is_verbatim(quote: str, page_text: str) -> bool:
    """True when the quote occurs in the page text after whitespace normalisation."""
    return bool(quote.strip()) and normalise_space(quote) in normalise_space(page_text)


# After the model: what its reply says, and the answer text the user is shown.

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


def with_verified_markers(checks: Sequence[SentenceCheck]) -> str:
    """The answer with each sentence's markers replaced by the passages that really support it."""
    parts = []
    for check in checks:
        sentence = re.sub(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]", "", check.text).strip()
        markers = "".join(f" [{n}]" for n in sorted({c.number for c in check.citations}))
        end = len(sentence.rstrip(".!?:;"))
        parts.append(sentence[:end] + markers + sentence[end:])
    return " ".join(parts)


def quote_pointed_passages(question: str, text: str, passages: Sequence[Hit]) -> str:
    """Small models sometimes answer with markers alone ("[1] [2]"): they point at the passage
    that answers. The answer is then that passage's sentence closest to the question, quoted."""
    numbers = [n for n in dict.fromkeys(int(m) for m in re.findall(r"\[(\d+)\]", text)) if 1 <= n <= len(passages)]
    quotes = []
    for n in numbers[:2]:
        start, end = best_quote(question, passages[n - 1].text)
        quote = normalise_space(passages[n - 1].text[start:end]).rstrip(".;:")
        quotes.append(f"“{quote}” [{n}].")
    return " ".join(quotes)


def unique_citations(checks: Sequence[SentenceCheck]) -> tuple[Citation, ...]:
    seen: dict[tuple, Citation] = {}
    for check in checks:
        for c in check.citations:
            seen.setdefault((c.source_id, c.page, c.start, c.end), c)
    return tuple(seen.values())
