"""Does a document have a clause at all? The checklists already say what wording a clause nearly
always has (an item's signals); answering uses them before the model runs.

Retrieval always returns the nearest passages, and a small model handed three passages about
termination when asked about liquidated damages tends to answer from them anyway. When a question
asks about a clause a checklist knows (it names the item's label or one of its hints) and no
sentence of the documents it is about has that clause's usual wording, the honest answer is that
the documents do not contain it.
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.clauses.candidates import candidates, load_document
from assistant.clauses.checklist import Checklist, Item
from assistant.retrieval.routing import identity_words
from assistant.text import content_words

# A term whose every word occurs in this share of the indexed passages or more ("parties",
# "term", "license" across licence agreements) does not name a clause: "the parties" is in nearly
# every question, and "the Corio license and hosting agreement" names a document, not a licence.
COMMON_SHARE = 0.10
# Where a contract names itself and its parties (as the search's routing reads it, RetrievalSettings.preamble_chars).
OPENING_CHARS = 1500


def items_asked(catalog, question: str, checklists: Sequence[Checklist],
                source_ids: Sequence[str] = ()) -> list[Item]:
    """The items with signals that the question asks about by a term that is not common, and
    not by the name of a document it is about (without_names)."""
    common_at = COMMON_SHARE * max(catalog.chunk_total(), 1)

    def specific(term: str) -> bool:
        return any(catalog.chunk_frequency(word) < common_at for word in content_words(term))

    if source_ids:
        question = without_names(question, set().union(*(identity_words(catalog, sid, OPENING_CHARS)
                                                         for sid in source_ids)))
    return [item for checklist in checklists for item in checklist.items
            if item.signals and any(specific(term) for term in item.terms_in(question))]


# Two or more capitalised words in a row, joined by spaces or hyphens: how a name is written.
NAME_RUN = re.compile(r"[A-Z]\w*(?:[ -][A-Z]\w*)+")
# The words between "the" and "agreement" or "contract": how a question names the document it is
# about, in lower case too ("the Johns Hopkins / Virtuoso non-exclusive license agreement").
DOCUMENT_PHRASE = re.compile(r"\bthe\s+((?:(?!the\b)[\w'/&.-]+\s+){1,10})(?=(?:agreement|contract)s?\b)", re.IGNORECASE)


def without_names(question: str, identity: set[str]) -> str:
    """The question with the words of a document's name blanked: those of a run of capitalised
    words (after the first word, which is capitalised anyway) or of the phrase "the ... agreement"
    that are in the document's title or opening. "the Hartford Life Insurance service agreement"
    names a party, not an insurance clause, and "the Johns Hopkins Non-Exclusive License Agreement" a document, not an
    exclusivity clause; "is the licence exclusive?" or "an Insurance clause" asks about the clause."""
    first = re.match(r"\W*\w+", question)
    start = first.end() if first else 0

    def blank(word: re.Match) -> str:
        return " " * len(word.group(0)) if word.group(0).lower() in identity else word.group(0)

    rest = question[start:]
    for pattern in (NAME_RUN, DOCUMENT_PHRASE):
        rest = pattern.sub(lambda run: re.sub(r"\w+", blank, run.group(0)), rest)
    return question[:start] + rest


def absent_clauses(catalog, question: str, source_ids: Sequence[str],
                   checklists: Sequence[Checklist]) -> tuple[Item, ...]:
    """The items the question asks about when none of them has a matching sentence in any of the
    documents; empty when it asks about no known clause or when one of them is there. Requiring
    every item asked about to be absent keeps a question that could mean several clauses
    answerable whenever any of them is present."""
    asked = items_asked(catalog, question, checklists, source_ids)
    if not asked or not source_ids:
        return ()
    documents = [load_document(catalog, source_id) for source_id in source_ids]
    if any(candidates(document, item) for item in asked for document in documents):
        return ()
    return tuple(asked)
