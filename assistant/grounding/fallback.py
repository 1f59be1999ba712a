"""When the model's wording is not supported but a passage it read addresses the question: the
answer quotes that passage, verbatim and cited, in place of a refusal.

The verifier (citations.py) refuses a sentence unless a passage holds half its content words. A
small model often reads the right passage and then paraphrases it ("The agreement lasts three
years" for "continues for an initial term of three (3) years"), or writes a sentence that mixes
two passages; refusing then throws the right passage away. A quote cannot be unsupported: it is
the document's own text. But quoting the nearest passage of every question would answer the
questions the documents cannot answer, so the quote is given only when a sentence of a passage
addresses the question:

- it matches the signals of a clause the question asks about (the checklists' wording, the same
  that decides a clause is missing: clauses/presence.py), or
- it holds at least `subject_share` of the question's subject: the question's words less the names
  and the words that identify the document (its title and opening, which every passage of it
  shares), less words that only say what kind of question it is ("provide", "clause"). Words are
  compared by their first five letters after a plural "s", so "renewal" meets "renew", "governing"
  meets "governed" and "laws" meets "law".

The share is the verifier's own rule (half the words: citations.SUPPORT_THRESHOLD), turned
around: half the question's subject in the passage instead of half the answer's words. On the
tuning part of cuad100 that was measured (README, "Answers on contracts nobody tuned on"), the
fallback fired too rarely for the data to move the line: every share from 0.3 to 1.0, with or
without the clause wording, gave the same figures.

Among the passages whose sentence qualifies, the one the model cited comes first (its marker
pointed at it even when its words did not), then one with the clause's wording, then the one
sharing most of the subject, then the retrieval order.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from assistant.grounding.citations import quote_spans
from assistant.text import content_words, is_heading, normalise_space
from assistant.types import Citation, Hit, SentenceCheck

# A heading ("9. GOVERNING LAW") names a clause without saying what it says: never the quote.
MIN_QUOTE = 25
STEM = 5
FALLBACK_LEAD = "The passage that addresses this says:"
CLAUSE_LEAD = "The clause itself says:"
# Words that say what kind of question it is, not what it asks about.
_QUESTION_KIND = frozenset(
    """agreement contract document documents say says said provide provides provided provision provisions clause
    clauses section sections state states stated party parties give gives given long much many often whether
    need needs needed required require requires according apply applies set sets happen happens contain
    contains cover covers exactly describe described mention mentions also""".split()
)


def stem(word: str) -> str:
    """The first five letters after a plural "s": "laws" meets "law", "renewal" meets "renews"."""
    word = word.lower()
    return (word.rstrip("s") or word)[:STEM]


@dataclasses.dataclass(frozen=True)
class PassageMatch:
    number: int  # 1-based, as the prompt numbers the passages
    start: int  # the sentence's span in the passage text
    end: int
    subject_share: float  # of the question's subject stems, the share this sentence holds
    clause_signal: bool  # the sentence matches a signal of a clause the question asks about

    def addresses(self, subject_share: float, use_signal: bool = True) -> bool:
        return (use_signal and self.clause_signal) or self.subject_share >= subject_share


def subject_stems(question: str, names: Sequence[str], identity: set[str]) -> frozenset[str]:
    """Stems of the question's subject: content words that are not names, not words identifying
    the document (`identity`), and not words of the question's kind. When removing the identity
    leaves nothing ("What does the supply agreement say about supply?"), it is kept."""
    base = [w for w in content_words(question) if w not in set(names) and w not in _QUESTION_KIND and not w.isdigit()]
    subject = [w for w in base if w not in identity] or base
    return frozenset(stem(w) for w in subject)


def _sentence_stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"\w+", text)}


def passage_matches(passages: Sequence[Hit], subject: frozenset[str], items: Sequence = ()) -> list[PassageMatch]:
    """Per passage, its sentence that best addresses the question: matching a clause signal first,
    then sharing most subject stems, then the shorter."""
    found = []
    for number, hit in enumerate(passages, start=1):
        best, best_key = None, None
        for start, end in quote_spans(hit.text):
            sentence = hit.text[start:end]
            if len(sentence.strip()) < MIN_QUOTE or is_heading(sentence):
                continue
            share = len(subject & _sentence_stems(sentence)) / len(subject) if subject else 0.0
            signal = any(item.signal_in(sentence) for item in items)
            key = (signal, share, -(end - start))
            if best_key is None or key > best_key:
                best, best_key = PassageMatch(number, start, end, share, signal), key
        if best is not None:
            found.append(best)
    return found


def choose(matches: Sequence[PassageMatch], cited: Sequence[int], subject_share: float,
           use_signal: bool = True) -> PassageMatch | None:
    """The passage to quote, or None when none addresses the question."""
    qualifying = [m for m in matches if m.addresses(subject_share, use_signal)]
    if not qualifying:
        return None
    return min(qualifying, key=lambda m: (m.number not in cited, -(use_signal and m.clause_signal),
                                          -m.subject_share, m.number))


def uncited_clause(matches: Sequence[PassageMatch], cited: Sequence[int]) -> PassageMatch | None:
    """The passage holding the wording of the clause the question asks about, when the supported
    answer cites none that does: a small model often answers from the passage that shares the
    question's words and leaves the clause itself unread ("What restrictions on assignment …?"
    answered from a share-transfer legend while passage 1 says "not assignable without the prior
    written consent"). The first such passage in retrieval order; None when a cited passage has
    the wording or none has."""
    if any(m.clause_signal and m.number in cited for m in matches):
        return None
    return next((m for m in matches if m.clause_signal), None)


def quoted_answer(match: PassageMatch, passages: Sequence[Hit],
                  lead: str = FALLBACK_LEAD) -> tuple[str, SentenceCheck]:
    """The answer text and its one checked sentence: the passage's sentence verbatim, cited."""
    hit = passages[match.number - 1]
    quote = hit.text[match.start:match.end]
    citation = Citation(number=match.number, doc_name=hit.doc_name, source_id=hit.chunk.source_id, page=hit.page,
                        start=hit.chunk.start + match.start, end=hit.chunk.start + match.end, quote=quote,
                        repaired=True)
    shown = normalise_space(quote).rstrip(".;:")
    text = f"{lead} “{shown}” [{match.number}]."
    return text, SentenceCheck(text, (match.number,), (citation,))


def document_identity(catalog, passages: Sequence[Hit]) -> set[str]:
    """The words of the passages' documents' titles and openings, where a contract names itself
    and its parties (the same words retrieval leaves out of a search inside one document)."""
    from assistant.retrieval.hybrid import identity_words
    from assistant.settings import RetrievalSettings

    identity: set[str] = set()
    for source_id in dict.fromkeys(p.chunk.source_id for p in passages):
        identity |= identity_words(catalog, source_id, RetrievalSettings.preamble_chars)
    return identity


def fallback_matches(catalog, question: str, passages: Sequence[Hit], checklists: Sequence = ()) -> list[PassageMatch]:
    """`passage_matches` for a question over an index: its subject without the names and the words
    identifying the passages' documents, and the checklist items it asks about."""
    from assistant.clauses.presence import items_asked
    from assistant.grounding.evidence import name_words

    subject = subject_stems(question, name_words(question), document_identity(catalog, passages))
    return passage_matches(passages, subject, items_asked(catalog, question, checklists))
