"""What kind of fact a question asks for, and whether a sentence states one of that kind.

"What's i-on charging a month for hosting?" asks for an amount; "how much notice?" for a period;
"by when?" for a date; "which law governs?" for a law. Two sentences of the same clause often share
the question's words equally ("the recurring monthly fee in the amount of $450", "the recurring
monthly fees by the 5th day of each month"); the one holding a fact of the kind asked for is the
answer. The patterns are about the form of such facts (a currency sign, a number with "days", a
month name, "laws of"), never about one contract's wording.
"""

from __future__ import annotations

import re
from typing import FrozenSet

_NUMBER = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|" \
          r"forty|forty-five|fifty|sixty|ninety|hundred)"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"

# kind -> (how a question asks for it, how a sentence states it)
KINDS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "amount": (
        re.compile(r"\bhow much\b|\b(?:fees?|prices?|costs?|charg\w*|pays?|paid|payments?|rates?|royalt\w*|"
                   r"commissions?|caps?|capped|limit\w*|amounts?|percent\w*|shares?|deposits?|penalt\w*|"
                   r"interest|damages|insurance|coverage|minimum|maximum)\b", re.I),
        re.compile(rf"[$€£]\s?\d|\d\s?%|\b{_NUMBER}\s*(?:\(\d+\)\s*)?(?:percent|per cent|dollars|euros|usd|eur)\b|"
                   r"\b(?:US\$|USD|EUR|GBP)\s?\d", re.I),
    ),
    "period": (
        re.compile(r"\bhow (?:long|soon|quickly|often|many (?:days|weeks|months|years))\b|\b(?:notice|within|term|"
                   r"duration|period|deadline|frequency|days|weeks|months|years)\b", re.I),
        re.compile(rf"\b{_NUMBER}\s*(?:\(\d+\)\s*)?(?:calendar\s+|business\s+|working\s+|consecutive\s+)?"
                   r"(?:days?|weeks?|months?|years?|hours?)\b|\b(?:annual(?:ly)?|quarterly|monthly|once a)\b", re.I),
    ),
    "date": (
        re.compile(r"\bwhen\b|\bby when\b|\bdates?\b|\bexpir\w*\b|\bends?\b|\bdeadline\b", re.I),
        re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?{_MONTH}\b|"
                   r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}(?:st|nd|rd|th)\b", re.I),
    ),
    "law": (
        re.compile(r"\b(?:laws?|govern(?:s|ed|ing)?|jurisdiction|venue|courts?)\b", re.I),  # not "government"
        re.compile(r"\blaws?\s+of\b|\bgoverned\s+by\b|\bjurisdiction\b|\bcourts?\s+of\b|\bconstrued\b", re.I),
    ),
}


def kinds_asked(question: str) -> FrozenSet[str]:
    return frozenset(kind for kind, (asks, _) in KINDS.items() if asks.search(question))


def states_kind(sentence: str, kinds: FrozenSet[str]) -> bool:
    """The sentence states a fact of one of the kinds asked for (False when none is asked)."""
    return any(KINDS[kind][1].search(sentence) for kind in kinds)
