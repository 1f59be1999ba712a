"""Which languages an answer involves: the question's (the answer is written in it) and the
documents' (their quotes stay in theirs).

The checks that run before the model read English: a checklist item's signals are English
wording ("shall indemnify", "governing law"), and the name check relies on English not
capitalising ordinary nouns. Asked of a German contract, or in German, they would find no clause
where there is one and refuse wrongly, so they stand aside unless the question and the documents
are all in English (`english_only`). After the model, a sentence written in one language cannot
share words with a passage in another: `crosses_languages` tells the answerer so.
"""

from __future__ import annotations

from typing import Sequence

from assistant.language import ENGLISH, detect_language, question_language
from assistant.store.lexical_forms import document_language
from assistant.types import Hit


# By source id: the hash of the file's bytes, so a document's language never changes.
_KNOWN: dict[str, str] = {}


def _language_of_document(catalog, source_id: str) -> str:
    if source_id not in _KNOWN:
        if len(_KNOWN) > 4096:
            _KNOWN.clear()
        _KNOWN[source_id] = document_language(page.text for page in catalog.pages(source_id))
    return _KNOWN[source_id]


def document_languages(catalog, source_ids: Sequence[str]) -> set[str]:
    return {_language_of_document(catalog, source_id) for source_id in source_ids}


def english_only(catalog, question: str, source_ids: Sequence[str]) -> bool:
    """The question and every document it is about are in English: the English checks apply."""
    return question_language(question) == ENGLISH and document_languages(catalog, source_ids) <= {ENGLISH}


def crosses_languages(question: str, passages: Sequence[Hit]) -> bool:
    """The question (so the answer) is in another language than some passage it rests on."""
    asked = question_language(question)
    return any(detect_language(p.text) != asked for p in passages)
