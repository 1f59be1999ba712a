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


def naming_words(question: str, identity: set[str]) -> frozenset[str]:
    """The words by which the question names its document: capitalised (a party, a product, a
    title) and found in the document's title or opening (`identity`). An answer restates them
    ("The Acme / Beta supply agreement is governed by ..."), but the clause it rests on seldom
    repeats the parties' names, so they are no evidence either way (`support`'s `ignore`)."""
    tokens = re.findall(r"\w+", question)
    return frozenset(t.lower() for t in tokens[1:] if t[:1].isupper() and t.lower() in identity and t.lower() not in STOPWORDS)


def support(sentence: str, passage: str, ignore: frozenset[str] = frozenset()) -> float:
    """Share of the sentence's content words that occur in the passage (0 when it has none).
    Words in `ignore` (the question's names for its document: `naming_words`) are not counted,
    unless nothing else is left."""
    words = _words(sentence)
    words = [w for w in words if w not in ignore] or words
    if not words:
        return 0.0
    vocabulary = set(_words(passage))
    return sum(1 for w in words if w in vocabulary) / len(words)


# A quotation in the answer ("…", “…”, „…“, « … »): at least this many characters and three words,
# so a quoted term ("72 Stunden") alone does not count as a quote of the clause.
_QUOTED = re.compile(r"[\"“„«‚]\s*([^\"“”„«»]{12,}?)\s*[\"”“»‘]")
_MIN_QUOTED_WORDS = 3


def quoted_span(sentence: str, passage: str) -> tuple[int, int] | None:
    """The span of the passage that a quotation in the sentence reproduces word for word (case
    and line breaks aside), or None. This is what supports an answer written in another language
    than its passage: an English sentence quoting the German clause it rests on."""
    for quoted in _QUOTED.findall(_MARKER.sub(" ", sentence)):
        words = quoted.strip(" .,;:").split()
        if len(words) < _MIN_QUOTED_WORDS:
            continue
        found = re.search(r"\s+".join(map(re.escape, words)), passage, re.IGNORECASE)
        if found:
            return found.start(), found.end()
    return None


def supports(sentence: str, passage: str, ignore: frozenset[str] = frozenset()) -> bool:
    """Half the sentence's content words in the passage, or a verbatim quotation of it."""
    return support(sentence, passage, ignore) >= SUPPORT_THRESHOLD or quoted_span(sentence, passage) is not None


def quote_spans(passage: str):
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
    for start, end in quote_spans(passage):
        key = (support(sentence, passage[start:end]), -(end - start))
        if key > best_key:
            best, best_key = (start, end), key
    return best


def _cite(number: int, hit: Hit, sentence: str, repaired: bool) -> Citation:
    start, end = quoted_span(sentence, hit.text) or best_quote(sentence, hit.text)
    return Citation(
        number=number, doc_name=hit.doc_name, source_id=hit.chunk.source_id, page=hit.page,
        start=hit.chunk.start + start, end=hit.chunk.start + end, quote=hit.text[start:end], repaired=repaired,
    )


def check_answer(answer: str, passages: Sequence[Hit], ignore: frozenset[str] = frozenset()) -> list[SentenceCheck]:
    """One check per sentence: the citations it is backed by (repaired where needed). `ignore`:
    words no passage needs to hold (the question's names for its document)."""
    checks = []
    for sentence in split_sentences(answer):
        markers = markers_in(sentence)
        valid = [n for n in markers if 1 <= n <= len(passages)]
        cited = [n for n in valid if supports(sentence, passages[n - 1].text, ignore)]
        citations = [_cite(n, passages[n - 1], sentence, repaired=False) for n in cited]
        if not citations:
            scores = [(support(sentence, p.text, ignore), n) for n, p in enumerate(passages, start=1)]
            score, n = max(scores, default=(0.0, 0))
            if score >= SUPPORT_THRESHOLD:
                citations = [_cite(n, passages[n - 1], sentence, repaired=True)]
            else:
                quoting = [n for n, p in enumerate(passages, start=1) if quoted_span(sentence, p.text)]
                if quoting:
                    citations = [_cite(quoting[0], passages[quoting[0] - 1], sentence, repaired=True)]
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


# The same in German and French, since the model answers in the question's language.
_REFUSALS_DE_FR = re.compile(
    r"^\W*nicht\s+gefunden|(passagen?|textstellen?|abschnitte?|dokumente?)\s+(enthalten|nennen|erwähnen)\s+(keine|nicht)|"
    r"keine\s+(angaben|informationen)\s+(zu|über|dazu)|"
    r"^\W*(non\s+trouvé|introuvable)|(passages?|documents?|extraits?)\s+ne\s+(contiennent|mentionnent|précisent|"
    r"contient|mentionne|précise)\s+pas|aucune\s+information\s+(sur|concernant)",
    re.IGNORECASE,
)


def is_refusal(text: str) -> bool:
    """The model said the passages do not hold the answer: in words, or as NOT FOUND, which small
    models also write once per passage ("[1] NOT FOUND [2] NOT FOUND")."""
    bare = re.sub(r"\[\d+\]|[^\w\s]", " ", text).lower().split()
    return bool(_REFUSALS.search(text)) or bool(_REFUSALS_DE_FR.search(text)) or (bare[:2] == ["not", "found"] and set(bare) <= {"not", "found"})


def with_verified_markers(checks: Sequence[SentenceCheck]) -> str:
    """The answer with each sentence's markers replaced by the passages that really support it."""
    parts = []
    for check in checks:
        sentence = re.sub(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]", "", check.text).strip()
        markers = "".join(f" [{n}]" for n in sorted({c.number for c in check.citations}))
        end = len(sentence.rstrip(".!?:;"))
        parts.append(sentence[:end] + markers + sentence[end:])
    return " ".join(parts)


_LEADING_MARKER = re.compile(r"\[(\d+)\]")
# What a model copies from a passage's label after the marker: "p. 24:", "paragraph 8:", "Section 3:".
_ECHOED_PLACE = re.compile(r"^\s*(?:p\.|page|para(?:graph)?|section|clause)\s*[\w.]+\s*:\s*", re.IGNORECASE)


def markers_after_their_text(text: str) -> str:
    """Small models often answer in the prompt's own layout, each marker before the text it
    labels ("[1] NO PARTY WILL BE LIABLE … [2] IMNTV represents …"). The verifier reads a marker
    as closing the text before it, so such a reply is rewritten to that form ("NO PARTY WILL BE
    LIABLE … [1]. IMNTV represents … [2]."), each sentence of a segment with its marker. Only a reply that starts
    with a marker and in which every marker is followed by text is in that layout; "The law is
    Delaware [1]." is not."""
    stripped = text.strip()
    if not _LEADING_MARKER.match(stripped):
        return text
    pieces = _LEADING_MARKER.split(stripped)[1:]  # number, segment, number, segment, ...
    segments = [(pieces[i], pieces[i + 1]) for i in range(0, len(pieces), 2)]
    if len(segments) < 2 or any(not re.search(r"\w", seg) or re.match(r"\s*[.;,:]", seg) for _, seg in segments):
        return text
    out = []
    for number, segment in segments:
        for sentence in sentences(_ECHOED_PLACE.sub("", segment.strip())):  # each sentence keeps its marker
            end = len(sentence.rstrip(".;:!?"))
            out.append(f"{sentence[:end]} [{number}]{sentence[end:] or '.'}")
    return " ".join(out)


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
