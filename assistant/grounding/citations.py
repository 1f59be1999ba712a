"""Citations after the answer is built: whether a quote is the page's own text, whether the model
refused, and each cited span once.

Which sentences an answer cites is decided in grounding/verify.py (the sentences that hold what the
model stated, whole, with their page offsets), never taken from markers the model wrote: a small
model's pointers are hints at best, so it is not asked for any.
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.text import normalise_space
from assistant.types import Citation, SentenceCheck


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


def unique_citations(checks: Sequence[SentenceCheck]) -> tuple[Citation, ...]:
    seen: dict[tuple, Citation] = {}
    for check in checks:
        for c in check.citations:
            seen.setdefault((c.source_id, c.page, c.start, c.end), c)
    return tuple(seen.values())
