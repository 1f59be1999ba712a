"""Which whole sentences back the model's statement, or, when none do, which one sentence is the
clause to show alone.

The checks run in one order, each named, so an answer's fate can be read off its checks:

1. `claims`: what the statement asserts (numbers, months, names, negation: statement.py).
2. `supporting`: one sentence of the passages holding every claim, else two that hold them
   together (a fee in one sentence, its due date in the next). Among those that do, the ones the
   model quoted come first, then the ones closest in words to the statement, then the question,
   then the retrieval order.
3. `clause_alone`: when no sentence backs the statement, the sentence the model quoted (at least
   `QUOTED_SHARE` of its words), else the one sharing most words with the question and the
   statement; the answer then shows that clause and says the statement was not shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

from assistant.grounding.answer_kind import kinds_asked, states_kind
from assistant.grounding.statement import Claims, claims, is_supported_by
from assistant.grounding.units import Unit
from assistant.text import content_words, sentences

QUOTED_SHARE = 0.6  # of the model's quote's words, for a sentence to count as the one it quoted
CANDIDATES = 12  # sentences tried in pairs, best first


def _stems(text: str) -> set[str]:
    return {(w.rstrip("s") or w)[:5] for w in content_words(text)}


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


@dataclass(frozen=True)
class Verdict:
    statement: str
    claims: Claims
    units: tuple[Unit, ...]  # the sentences that back the statement; () when it does not verify

    @property
    def verified(self) -> bool:
        return bool(self.units)


def _ranked(units: Sequence[Unit], quote: str, statement: str, question: str) -> list[Unit]:
    quoted, stated, asked = _stems(quote), _stems(statement), _stems(question)
    kinds = kinds_asked(question)

    def key(unit: Unit):
        own = _stems(unit.text)
        return (-(_share(quoted, own) >= QUOTED_SHARE), -states_kind(unit.text, kinds), -_share(stated, own),
                -_share(asked, own), unit.ordinal)

    return sorted(units, key=key)


def supporting(statement: str, quote: str, question: str, units: Sequence[Unit],
               known_names: frozenset[str] = frozenset(), check_names: bool = True) -> Verdict:
    """The sentences that back every sentence of the statement, or none. A statement of numbers
    alone ("3.1", "29": a clause or page number) states nothing and backs nothing; a value with
    its unit or currency ("30 days", "$5,000,000", "45%") or a name ("M&I") is a statement."""

    def claims_of(text: str) -> Claims:
        found = claims(text, question, known_names)
        return found if check_names else Claims(found.numbers, found.months, frozenset(), found.negation, found.words)

    found = claims_of(statement)
    each = [claims_of(s) for s in sentences(statement)] or [found]
    if not re.search(r"[^\W\d_]{3,}|[$€£%]|\b[A-Z]\w*&\w+|\b[A-Z]{2,}\b", statement):
        return Verdict(statement, found, ())

    def backs(texts: list[str]) -> bool:
        return is_supported_by(found, texts) and all(is_supported_by(c, texts) for c in each)

    ranked = _ranked(units, quote, statement, question)
    for unit in ranked:
        if backs([_with_clause(unit)]):
            return Verdict(statement, found, (unit,))
    if found.checkable:
        helpful = [u for u in ranked if _holds_some(found, u.text)][:CANDIDATES]
        for a, b in combinations(helpful, 2):
            if backs([_with_clause(a), _with_clause(b)]):
                return Verdict(statement, found, tuple(sorted((a, b), key=lambda u: u.ordinal)))
    return Verdict(statement, found, ())


def _with_clause(unit: Unit) -> str:
    """The sentence with its clause's heading: "Under clause 9" states what the heading says."""
    return f"{unit.clause}\n{unit.text}" if unit.clause else unit.text


def _holds_some(found: Claims, text: str) -> bool:
    """The text holds a number, month or name of the claims. A negation alone does not make a
    sentence part of the evidence: "not" in an unrelated sentence does not negate the clause."""
    missing = found.missing_from(text)
    return (missing.numbers, missing.months, missing.names) != (found.numbers, found.months, found.names)


def clause_alone(quote: str, question: str, question_subject: frozenset[str], units: Sequence[Unit],
                 subject_share: float, items: Sequence = ()) -> Unit | None:
    """The sentence to show when the statement does not verify: the one the model quoted, else
    the first with the wording of a clause the question asks about (`items`: checklist items,
    by their signals), else the one holding most of the question's subject (subject.subject_stems),
    a fact of the kind asked for (answer_kind.py) breaking ties, when it holds at least
    `subject_share` of the subject; None when no sentence addresses the question."""
    if not units:
        return None
    kinds = kinds_asked(question)
    quoted = _stems(quote)
    if quoted:
        best = max(units, key=lambda u: (_share(quoted, _stems(u.text)), -u.ordinal))
        if _share(quoted, _stems(best.text)) >= QUOTED_SHARE:
            return best
    worded = [u for u in units if any(item.signal_in(u.text) for item in items)]
    if worded:
        return max(worded, key=lambda u: (states_kind(u.text, kinds), -u.ordinal))
    if not question_subject:
        return None
    best = max(units, key=lambda u: (len(question_subject & _stems(u.text)), states_kind(u.text, kinds), -u.ordinal))
    return best if _share(set(question_subject), _stems(best.text)) >= subject_share else None


def copies(statement: str, sentence: str) -> bool:
    """The statement is a piece of the sentence, word for word (case and punctuation aside)."""
    def bare(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.lower()))

    return bool(bare(statement)) and bare(statement) in bare(sentence)


def shown_quote(unit: Unit) -> str:
    """The sentence as shown: its own words, white space joined, in quotation marks."""
    return "“" + " ".join(unit.text.split()) + "”"


def location(unit: Unit) -> str:
    """Document, page and clause, in words (not the prompt's "Name, p. 3" label)."""
    name = re.sub(r"\.(pdf|docx|txt|md)$", "", unit.hit.doc_name, flags=re.IGNORECASE)
    where = [name]
    if unit.hit.chunk.doc_type == "pdf":
        where.append(f"page {unit.hit.page}")
    heading = " ".join(unit.clause.split())
    if heading:
        where.append(f"clause {heading}" if re.match(r"[\dIVX]", heading) else f"under “{heading}”")
    return ", ".join(where)
