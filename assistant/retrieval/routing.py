"""Routing: which document(s) a question is about, before each is searched again on its own.

A contract question names its contract ("the Acme / Globex supply agreement") and then asks about
a clause. Two signals say which document that is:

- where the whole-collection search put its best passages (their fused score, the "mass"); and
- which document's title and opening, where a contract names itself and its parties, hold the
  question's words, each word weighted by how few of the competing documents hold it (a party
  name is in one opening; "agreement" is in all of them and names none).

The mass alone fails on a collection of many similar contracts: the clause words ("limitation of
liability") pull in passages of every contract, no document holds a clear share, and the question
was routed nowhere, although the document with the most mass was the right one in 139 of 141
questions of the tuning part of cuad100, and the document named by its opening in 140. So the
document with the most mass is always routed, a document the question names clearly (its name
score well ahead of the next one's) is routed too, and others only with a clear share of the mass.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

from assistant.text import content_words

# A document is named when its name score is this many times the runner-up's: two contracts of
# the same parties ("the 2011 / 2014 AIG capital maintenance agreement") share most name words,
# and then neither is named; the mass decides.
NAMED_MARGIN = 1.5


def identity_words(catalog, source_id: str, opening_chars: int) -> set[str]:
    """The lower-cased words of a document's title and opening, where a contract names itself and
    its parties."""
    return set(re.findall(r"\w+", identity_text(catalog, source_id, opening_chars).lower()))


def identity_text(catalog, source_id: str, opening_chars: int) -> str:
    doc, first = catalog.document(source_id), catalog.page(source_id, 1)
    return (doc.title if doc else "") + " " + (first.text[:opening_chars] if first else "")


# Words that join the capitalised words of one name ("Procter & Gamble", "Bank of America").
_JOINERS = frozenset({"&", "and", "of", "de", "du", "des", "der", "für", "for"})
MAX_ACRONYM = 5  # capitalised words; longer runs are headings, not names


def acronyms(text: str) -> set[str]:
    """The initials of every run of two to five capitalised words, joiners skipped: "Procter &
    Gamble" is "pg", "General Electric Company" gives "ge" and "gec", "Data Processing Addendum"
    "dpa". A user shortens a party or a document that way; the contract spells it out."""
    found: set[str] = set()
    run: list[str] = []
    for token in re.findall(r"[^\W\d_][\w'’-]*|&", text) + ["."]:
        if token[0].isupper():
            run.append(token[0].lower())
            continue
        if token.lower() in _JOINERS and run:
            continue
        for i in range(len(run)):
            for j in range(i + 2, min(i + MAX_ACRONYM, len(run)) + 1):
                found.add("".join(run[i:j]))
        run = []
    return found


def written_acronyms(question: str) -> set[str]:
    """The question's names written as initials: "GE", "DPA", "P&G" (as "pg"). Only these are
    matched with a document's `acronyms`; lower-case words never are ("cap" is not "Customer
    Agreement Provisions")."""
    return {re.sub(r"\W", "", t).lower() for t in re.findall(r"\b[A-Z]{2,6}\b|\b[A-Z]+(?:&[A-Z]+)+\b", question)}


def name_scores(question: str, identities: dict[str, set[str]]) -> dict[str, float]:
    """How strongly the question names each document: the sum, over the question's words found in
    the document's title and opening, of log((n + 1) / documents holding the word), n the
    documents compared. A word every document holds counts little; one only this one holds, most."""
    n = len(identities)
    holding: dict[str, int] = {}
    for words in identities.values():
        for word in words:
            holding[word] = holding.get(word, 0) + 1
    asked = content_words(question) + sorted(written_acronyms(question))
    return {sid: sum(math.log((n + 1) / holding[w]) for w in asked if w in words)
            for sid, words in identities.items()}


def named_document(scores: dict[str, float], margin: float = NAMED_MARGIN) -> str | None:
    """The document the question names, or None when no document is clearly ahead."""
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    if not ranked or ranked[0][1] <= 0:
        return None
    if len(ranked) > 1 and ranked[0][1] < margin * ranked[1][1]:
        return None
    return ranked[0][0]


def route(mass: dict[str, float], named: str | None, share: float, limit: int) -> list[str]:
    """The documents to search again, best first: the named one, the one with the most mass, then
    any other holding at least `share` of the mass, at most `limit` in all."""
    if limit <= 0 or not mass:
        return []
    total = sum(mass.values()) or 1.0
    ranked = [sid for sid, _ in sorted(mass.items(), key=lambda pair: -pair[1])]
    chosen = ([named] if named else []) + ranked[:1]
    chosen += [sid for sid in ranked[1:] if mass[sid] / total >= share]
    return list(dict.fromkeys(chosen))[:limit]


def document_mass(fused: Sequence[tuple[str, float]], source_of: dict[str, str], top: int) -> dict[str, float]:
    """Each document's fused score over its `top` best passages among `fused`: three, not all, so a
    long document does not win on bulk."""
    per_doc: dict[str, list[float]] = {}
    for cid, score in fused:
        per_doc.setdefault(source_of[cid], []).append(score)
    return {sid: sum(scores[:top]) for sid, scores in per_doc.items()}
