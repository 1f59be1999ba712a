"""What a question is about: its subject, less the names and the words that identify its document.

A question names its document and parties ("the Acme supply agreement", "Centrack") and says what
kind of question it is ("provide", "clause"); neither says what it asks about. Its subject is
what is left: the words a sentence must hold to address it. Words are compared by their first
five letters after a plural "s", so "renewal" meets "renew", "governing" meets "governed" and
"laws" meets "law". Used to pick the clause shown when the model's statement does not verify
(grounding/verify.py).
"""

from __future__ import annotations

from typing import Sequence

from assistant.text import content_words
from assistant.types import Hit

STEM = 5
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


def subject_stems(question: str, names: Sequence[str], identity: set[str]) -> frozenset[str]:
    """Stems of the question's subject: content words that are not names, not words identifying
    the document (`identity`), and not words of the question's kind. When removing the identity
    leaves nothing ("What does the supply agreement say about supply?"), it is kept."""
    base = [w for w in content_words(question) if w not in set(names) and w not in _QUESTION_KIND and not w.isdigit()]
    subject = [w for w in base if w not in identity] or base
    return frozenset(stem(w) for w in subject)


def document_identity(catalog, passages: Sequence[Hit]) -> set[str]:
    """The words of the passages' documents' titles and openings, where a contract names itself
    and its parties (the same words retrieval leaves out of a search inside one document)."""
    from assistant.retrieval.hybrid import identity_words
    from assistant.settings import RetrievalSettings

    identity: set[str] = set()
    for source_id in dict.fromkeys(p.chunk.source_id for p in passages):
        identity |= identity_words(catalog, source_id, RetrievalSettings.preamble_chars)
    return identity
