"""The model states; Clausewise finds the sentences that hold what it stated, and cites those.

A small model's pointers are not to be trusted (asked for a passage number, a quote and a short
answer, the 0.5B model got the answer right and the number and quote wrong), but what it states
can be checked: every number, amount, date, month, party name and negation in the statement must
stand in the sentences it rests on. Clausewise looks for those sentences itself, among whole
sentences of the passages the model read (grounding/units.py), preferring the ones the model
quoted and the ones closest in words to the statement. A statement that no one or two sentences
back is not shown: the answer then quotes the clause alone.

The checks are about facts, not wording: "thirty (30) days", "30 days" and "thirty days" all hold
the number 30; "$1,500.00" holds 1500; "5th" holds 5; "October" must be there when the statement
names October. Names and numbers the question itself uses are not claims the statement makes
("What does Centrack pay?" answered "Centrack pays $450 a month" needs $450 in the clause, not
Centrack, which the clause calls "the Customer").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.text import STOPWORDS, content_words

_UNITS = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen""".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth""".split()
NUMBER_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS)}
NUMBER_WORDS.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS)})
NUMBER_WORDS.update({w: float(i + 1) for i, w in enumerate(_ORDINALS)})
NUMBER_WORDS.update({"hundred": 100.0, "thousand": 1000.0, "million": 1e6, "billion": 1e9, "half": 0.5,
                     "twice": 2.0, "once": 1.0, "single": 1.0, "dozen": 12.0})
MONTHS = frozenset("""january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split())
# "may" is a month and a modal verb; only its capitalised form mid-sentence counts as the month.
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jan", "dec"})
# "unless" and "except" make a condition, not a negation.
NEGATIONS = frozenset("""not no never none neither nor without cannot non nothing nowhere""".split())
# Capitalised words that begin sentences or name kinds of things rather than parties.
_NOT_NAMES = frozenset("""yes no the a an this that these those it its if under each either both neither any all
    there their they he she we you i in on at by for of to as per upon after before within during""".split())

_NUMBER = re.compile(r"(?<![\w.])\$?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?(?![\w])", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*")


# A page number printed in the text ("- 3 -") is no number the text states.
_PAGE_NUMBER = re.compile(r"(?:^|\s)-\s?\d{1,3}\s?-(?=\s|$)")


def numbers_in(text: str) -> set[float]:
    """Every number the text states, in digits or in words ("forty-five" is 45; "5th" is 5)."""
    text = _PAGE_NUMBER.sub(" ", text)
    found: set[float] = set()
    for m in _NUMBER.finditer(text):
        whole = m.group(1).replace(",", "")
        value = float(f"{whole}.{m.group(2)}") if m.group(2) else float(whole)
        found.add(value)
    for word in re.findall(r"[a-z]+(?:-[a-z]+)?", text.lower()):
        parts = word.split("-")
        if all(p in NUMBER_WORDS for p in parts):
            found.add(sum(NUMBER_WORDS[p] for p in parts))
            found.update(NUMBER_WORDS[p] for p in parts)
    return found


def months_in(text: str) -> set[str]:
    found = set()
    for m in re.finditer(r"[A-Za-z]+", text):
        word = m.group(0)
        lower = word.lower()
        if lower in MONTHS and (lower not in _AMBIGUOUS_MONTHS or word[0].isupper() and m.start() > 0):
            found.add(lower[:3])
    return found


def _looks_like_a_name(word: str, first: bool) -> bool:
    """Capitalised, and not merely because it opens a sentence: a first word counts only when its
    form says name ("GE", "P&G", "McKesson")."""
    if not word or not word[0].isupper():
        return False
    return not first or "&" in word or sum(c.isupper() for c in word) > 1


def names_in(text: str) -> set[str]:
    """Capitalised words: party names, places, defined terms ("Customer", "Ontario", "GE"),
    lower-cased."""
    found = set()
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        for i, m in enumerate(_WORD.finditer(sentence)):
            word = m.group(0).strip("'’-")
            if not _looks_like_a_name(word, first=i == 0):
                continue
            lower = word.lower()
            if lower in _NOT_NAMES or lower in STOPWORDS or lower in MONTHS or lower in NUMBER_WORDS:
                continue
            found.add(lower)
    return found


def negated(text: str) -> bool:
    lower = text.lower().replace("n't", " not").replace("’t", " not")
    return any(w in NEGATIONS for w in re.findall(r"[a-z]+", lower)) or bool(re.search(r"\bnon-", lower))


def _words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")))


@dataclass(frozen=True)
class Claims:
    """What a statement asserts that a sentence must hold for the statement to stand."""
    numbers: frozenset[float]
    months: frozenset[str]
    names: frozenset[str]
    negation: bool
    words: frozenset[str]  # its content words, for statements that assert none of the above

    @property
    def checkable(self) -> bool:
        return bool(self.numbers or self.months or self.names or self.negation)

    def missing_from(self, text: str) -> "Claims":
        """The claims `text` does not hold."""
        return Claims(
            frozenset(self.numbers - numbers_in(text)), frozenset(self.months - months_in(text)),
            frozenset(n for n in self.names if not _name_in(n, text)), self.negation and not negated(text),
            frozenset(w for w in self.words if not _stem_in(w, text)),
        )

    def empty(self) -> bool:
        return not self.checkable


def _name_in(name: str, text: str) -> bool:
    parts = re.findall(r"[a-z0-9]+", name)
    return bool(parts) and all(p in _words_of(text) for p in parts)


def _stem_in(word: str, text: str) -> bool:
    stem = word[:5]
    return any(w.startswith(stem) for w in _words_of(text))


def claims(statement: str, question: str = "", known_names: Iterable[str] = ()) -> Claims:
    """The statement's claims, less what the question already says and the names the document
    gives itself and its parties (`known_names`: lower-case words of its title and opening)."""
    asked = _words_of(question)
    known = set(known_names) | asked
    names = frozenset(n for n in names_in(statement) if not all(p in known for p in re.findall(r"[a-z0-9]+", n)))
    words = frozenset(w for w in content_words(statement) if w not in asked and not w.isdigit() and len(w) > 2)
    return Claims(frozenset(numbers_in(statement) - numbers_in(question)), frozenset(months_in(statement)),
                  names, negated(statement) and not negated(question), words)


def is_supported_by(found: Claims, texts: Sequence[str], word_share: float = 0.5) -> bool:
    """The claims all stand in `texts` together. A statement that asserts no number, month, name or
    negation must share at least `word_share` of its content words with them instead."""
    joined = " ".join(texts)
    missing = found.missing_from(joined)
    if found.checkable:
        return missing.empty()
    if not found.words:
        return False  # "Yes." asserts nothing that can be checked
    return 1 - len(missing.words) / len(found.words) >= word_share
