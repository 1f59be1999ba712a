"""Definition questions. "How does the GDPR define a processor?" is answered by the line that
defines the term ("(8) ‘processor’ means a natural or legal person ..."), but the term occurs on
most pages of the document, and one short line among fifty definitions ranks low for either
ranker. So when a question asks what a term means, the passage that defines it (the term in
quotes followed by "means", "shall mean", ...) goes first, cut to start at the definition.
Contracts define their terms the same way ('"Effective Date" means ...').
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from assistant.types import Hit

_END = r"\s*(?:\?|$|,|;|\b(?:under|in|for|as used|according to)\b)"
_ARTICLE = r"(?:the\s+|a\s+|an\s+)?"
_ASKED = (
    re.compile(r"\bdefin(?:e|es|ed|ition of)\s+" + _ARTICLE + r"(?P<term>[^?,;]+?)" + _END, re.IGNORECASE),
    re.compile(r"\b(?:meaning of|meant by)\s+" + _ARTICLE + r"(?P<term>[^?,;]+?)" + _END, re.IGNORECASE),
    # "What is the Effective Date of ...?": answered by the definition when the document has one.
    re.compile(r"^\s*what\s+(?:is|are)\s+" + _ARTICLE + r"(?P<term>[^?,;]+?)"
               r"\s*(?:\?|$|,|\b(?:of|in|under|for|to|that|which|between|when|if|given|does|do)\b)", re.IGNORECASE),
    # German and French: "Wie definiert die DSGVO den Auftragsverarbeiter?", "Comment le RGPD
    # définit-il le sous-traitant ?", "Was versteht die DSGVO unter ...?"
    re.compile(r"\bdefiniert\s+(?:die|der|das)\s+\S+\s+(?:(?:den|die|das|der|einen|eine|ein)\s+)?"
               r"(?P<term>[^?,;]+?)\s*(?:\?|$|,|;)", re.IGNORECASE),
    re.compile(r"\bversteht\s+(?:die|der|das|man)\s+(?:\S+\s+)?unter\s+(?:(?:den|dem|der|einem|einer)\s+)?"
               r"(?P<term>[^?,;]+?)\s*(?:\?|$|,|;)", re.IGNORECASE),
    re.compile(r"\bdéfinit(?:-il|-elle)?\s+(?:(?:le|la|les|un|une|des)\s+|l['’])?"
               r"(?P<term>[^?,;]+?)\s*(?:\?|$|,|;)", re.IGNORECASE),
)
_QUOTES = "\"'‘’“”„«»"
SEARCH_LIMIT = 200  # passages holding the term's words that are checked for its definition


def term_asked(question: str) -> str | None:
    """The term a question asks the definition of, or None."""
    for pattern in _ASKED:
        match = pattern.search(question)
        if match:
            term = match.group("term").strip().strip(_QUOTES).strip()
            if term and len(term.split()) <= 6:
                return term
    return None


def terms_to_try(term: str) -> list[str]:
    """The term, then without its last word ("data minimisation principle" is defined as
    ‘data minimisation’)."""
    words = term.split()
    return [term] + ([" ".join(words[:-1])] if len(words) > 1 else [])


def definition_at(text: str, term: str) -> int | None:
    """Where `text` defines `term`, or None: at the quoted term of '"Term" means ...', or at the
    start of the sentence or item that ends in a label '(the "Term")'."""
    words = r"\s+".join(re.escape(w) for w in term.split())
    quoted = rf"[{_QUOTES}]\s*{words}\s*[,.]?\s*[{_QUOTES}]"
    match = re.search(rf"{quoted}\s*(?:\)\s*)?(?:means|shall mean|has the meaning|refers to|is defined as)\b",
                      text, re.IGNORECASE)
    if match:
        return match.start()
    # A numbered list of definitions without a verb, as German and French texts write them:
    # '8. „Auftragsverarbeiter“ eine natürliche ...', '8) «sous-traitant», la personne ...'.
    match = re.search(rf"(?:^|\n)[^\S\n]*\(?\d{{1,2}}[.)]\s*({quoted})", text, re.IGNORECASE)
    if match:
        return match.start(1)
    match = re.search(rf"\(\s*(?:[\w,]+\s+){{0,3}}?{quoted}", text, re.IGNORECASE)
    if match:
        ends = [m.end() for m in re.finditer(r"[.;:](?=\s)|\n\s*\n", text[:match.start()])]
        start = ends[-1] if ends else 0
        while start < match.start() and text[start].isspace():
            start += 1
        return start
    return None


def definition_first(catalog, question: str, hits: Sequence[Hit], source_ids: Sequence[str] | None) -> list[Hit]:
    """The hits with the passage defining the asked term first (added when the rankers missed it).
    Only within `source_ids`, the documents the question was routed to or filtered to: another
    contract's "Effective Date" is not this one's."""
    asked = term_asked(question)
    for term in terms_to_try(asked) if asked and source_ids else []:
        found = catalog.lexical_search(term, SEARCH_LIMIT, source_ids=source_ids)
        chunks = catalog.chunks_by_id([row[0] for row in found])
        for chunk_id, *_ in found:
            chunk = chunks.get(chunk_id)
            at = definition_at(chunk.text, term) if chunk else None
            if at is None:
                continue
            defining = dataclasses.replace(chunk, start=chunk.start + at, text=chunk.text[at:])
            ranked = next((h for h in hits if h.chunk.chunk_id == chunk_id), None)
            score = hits[0].score if hits else 0.0
            first = dataclasses.replace(ranked, chunk=defining, score=score) if ranked else Hit(chunk=defining, score=score)
            return [first] + [h for h in hits if h.chunk.chunk_id != chunk_id]
    return list(hits)
