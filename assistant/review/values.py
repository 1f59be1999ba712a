"""Values read from a quote by their kind, when the model gave none the quote holds. Each pattern
returns text exactly as the quote has it."""

from __future__ import annotations

import re

_NUMBER = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|" \
          r"twenty|thirty|forty[- ]five|forty|sixty|ninety|one hundred(?: and)?(?: twenty| eighty)?)"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
PATTERNS = {
    "period": [rf"\b{_NUMBER}(?:\s*\(\d+\))?[- ](?:business |calendar |consecutive )?(?:hours?|days?|weeks?|months?|years?)\b",
               r"\bwithout undue delay\b"],
    "date": [rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
             rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?{_MONTH},?\s+\d{{4}}\b",
             r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"],
    # Case matters for places (a name is capitalised), except in the words around it.
    "place": [r"\b(?i:laws?) of (?i:the )?(?i:state|commonwealth|province|republic) of ([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)*)",
              r"\b(?i:laws?) of (?i:the )?([A-Z][A-Za-z]+(?: (?:and )?[A-Z][A-Za-z]+)*)"],
    "amount": [r"(?:US\s?\$|\$|USD|EUR|€|£|GBP)\s?\d[\d,]*(?:\.\d+)?(?:\s(?:million|thousand|billion))?",
               r"\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|euros|pounds)\b",
               r"\b(?:the )?(?:fees|amounts?|charges) (?:paid|payable)[^.;]{0,80}"],
    "parties": [r"\bbetween\s+(.{3,160}?)\s+and\s+(.{3,160}?)(?:[.(;]|\bdated\b|$)"],
}


def extract_value(quote: str, kind: str) -> str:
    for pattern in PATTERNS.get(kind, ()):
        match = re.search(pattern, quote, re.IGNORECASE if kind != "place" else 0)
        if match:
            if kind == "place":
                return match.group(1)
            if kind == "parties":
                return f"{match.group(1).strip(' ,')}; {match.group(2).strip(' ,')}"
            return match.group(0).strip()
    return ""
