"""Questions that ask two things at once: "Which law governs the Northwind supply agreement, and
how long is its initial term?"

A small model handed one prompt for such a question answers the part its passages fit best and
drops the other, and retrieval ranks the passages of one part above the other's. So each part is
retrieved, answered and verified on its own, and the answer reports every part: answered and
cited, or not found.

A question is cut only where a second question plainly starts:

- after a question mark followed by more text ("What is the term? Can it be renewed?");
- at "and" (or "; and", ", and", "and also") followed by an interrogative word (what, which, who,
  whom, whose, when, where, why, how, whether) or, after a comma or semicolon, an auxiliary that
  opens a yes/no question (is, does, can, may, must, ...). Without the comma, "and is" joins two
  predicates of one subject far more often than it opens a question ("the goods are inspected and
  are accepted"), so only an interrogative word cuts there.

Both sides must keep a subject of their own (a content word that is not a question word), so
"when and where is payment due?" and "who may audit, and how?" stay whole: their short side has
nothing to search for.
"""

from __future__ import annotations

import re

from assistant.text import content_words

_INTERROGATIVE = r"(?:what|which|who|whom|whose|when|where|why|how|whether)"
_AUXILIARY = r"(?:is|are|was|were|does|do|did|can|could|may|might|must|shall|should|will|would|has|have|had)"
# "X, and how long ...", "X; and what ...", "X and also which ...", "X and when ..."; after a
# comma or semicolon also "X, and is it ...". The cut falls before "and".
_CUT = re.compile(
    rf"(?:[,;]\s*and(?:\s+also)?\s+(?=(?:{_INTERROGATIVE}|{_AUXILIARY})\b)"
    rf"|\s+and(?:\s+also)?\s+(?={_INTERROGATIVE}\b)"
    rf"|;\s+(?=(?:{_INTERROGATIVE}|{_AUXILIARY})\b))",
    re.IGNORECASE,
)
# Words that say what kind of question it is, not what it is about: a side made of these alone
# ("how", "who may", "what does it say") has no subject to search for.
_NOT_SUBJECT = frozenset(
    """say says said state states provide provides tell tells mention mentions apply applies happen happens
    also much many long often else whether agreement contract document""".split()
)


def _has_subject(text: str) -> bool:
    return any(w not in _NOT_SUBJECT and not w.isdigit() for w in content_words(text))


def _finish(part: str) -> str:
    """A part as a question of its own: capitalised, ending in a question mark."""
    part = part.strip().rstrip(",;").strip()
    if not part:
        return part
    part = part[0].upper() + part[1:]
    return part if part.endswith("?") else part.rstrip(".") + "?"


def _split_sentences(question: str) -> list[str]:
    """At a question mark with more text after it."""
    pieces = [p for p in re.split(r"(?<=\?)\s+(?=\S)", question.strip()) if p.strip()]
    return pieces or [question]


def _split_at_and(question: str) -> list[str]:
    parts: list[str] = []
    rest = question
    while True:
        cut = next((m for m in _CUT.finditer(rest) if _has_subject(rest[:m.start()]) and _has_subject(rest[m.end():])),
                   None)
        if cut is None:
            parts.append(rest)
            return parts
        parts.append(rest[:cut.start()])
        rest = rest[cut.end():]


def question_parts(question: str) -> list[str]:
    """The questions asked, in order; the question itself (one element) when it asks one thing."""
    parts = [piece for sentence in _split_sentences(question) for piece in _split_at_and(sentence)]
    parts = [p for p in (_finish(p) for p in parts) if p]
    merged: list[str] = []
    for part in parts:  # a piece with no subject of its own ("Why?") belongs to the one before
        if merged and not _has_subject(part):
            merged[-1] = merged[-1].rstrip("?") + " " + part[0].lower() + part[1:]
        else:
            merged.append(part)
    return merged if len(merged) > 1 else [question]
