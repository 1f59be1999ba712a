"""Is there evidence to answer from? Checked before the model runs, so a question the documents
cannot answer gets a plain "the documents do not say" instead of a fluent guess.

Three checks, all against the index rather than the model:

- Names the index has never seen. A question about "the Monsanto agency agreement" when no
  indexed text mentions Monsanto is about a document the user has not added.
- The question's subject missing from the document it is about. Retrieval always returns the
  nearest passages; when the words that describe what is asked ("liquidated damages",
  "escrow") hardly occur in the document the question routes to, the clause is not there. Words
  are weighted by rarity across the index, so "agreement" counts for little and "escrow" for much.
- A clause a checklist knows with none of its usual wording in that document (clauses/presence.py,
  run by the answerer).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Sequence

from assistant.clauses.checklist import Checklist
from assistant.clauses.detectors import load_detectors
from assistant.clauses.presence import items_asked
from assistant.grounding.abstention import AbstentionModel, as_row, load_model, signs
from assistant.grounding.languages import english_only
from assistant.retrieval.routing import acronyms, identity_text, identity_words, written_acronyms
from assistant.settings import RetrievalSettings
from assistant.store.catalog import Catalog
from assistant.text import STOPWORDS, content_words
from assistant.types import Evidence, Hit

# English function words: the name check needs to know it reads an English question, since other
# languages (German) capitalise ordinary nouns.
_ENGLISH = STOPWORDS | {"not", "no", "our", "we", "you", "your", "he", "she", "his", "her", "long", "much", "many"}
# Question words that say nothing about the subject.
_QUESTION_WORDS = frozenset(
    """agreement contract document documents say says said provide provides provision provisions clause
    clauses section state states party parties give gives given long much many often whether need needs needed
    required require requires according apply applies set sets out other happen happens look looks affect
    affects contain contains impose imposes cover covers key type types amount amounts often right rights
    obligation obligations accept accepts stop kind kinds what exactly describe""".split()
)


def name_words(question: str) -> list[str]:
    """Words written as names in an English question: capitalised or all-caps, not the first word."""
    tokens = re.findall(r"\w+", question)
    lower = [t.lower() for t in tokens]
    if not lower or sum(1 for t in lower if t in _ENGLISH) / len(lower) < 0.15:
        return []
    names = []
    for token in tokens[1:]:
        if len(token) > 1 and (token[0].isupper() and not token.isdigit()) and token.lower() not in _ENGLISH:
            if token.lower() not in names:
                names.append(token.lower())
    return names


def _joined_names(question: str) -> dict[str, list[str]]:
    """For each name word, the names it forms when joined to the next or the previous one: a
    contract may spell "Radial Spark" as "RadialSpark"."""
    joined: dict[str, list[str]] = {}
    for match in re.finditer(r"(?=\b([A-Z]\w*)[ \t]+([A-Z]\w*)\b)", question):
        first, second = match.group(1).lower(), match.group(2).lower()
        for word in (first, second):
            joined.setdefault(word, []).append(first + second)
    return joined


def unknown_names(catalog: Catalog, question: str) -> tuple[str, ...]:
    """Name words of the question that no indexed text holds, joined with a neighbour ("Radial
    Spark" as "RadialSpark") or spelled out: "GE" is known where a document's opening names
    "General Electric Company" (retrieval/routing.py's `acronyms`)."""
    joined = _joined_names(question)
    unknown = [w for w in name_words(question)
               if catalog.chunk_frequency(w) == 0 and not any(catalog.chunk_frequency(j) for j in joined.get(w, ()))]
    initials = written_acronyms(question) & set(unknown)
    if initials:
        spelled = set().union(*(acronyms(identity_text(catalog, d.source_id, RetrievalSettings.preamble_chars))
                                for d in catalog.documents()))
        unknown = [w for w in unknown if w not in spelled]
    return tuple(unknown)


def documents_named(catalog: Catalog, question: str, source_ids: list[str],
                    opening_chars: int = RetrievalSettings.preamble_chars) -> list[str]:
    """Of the documents retrieval routed the question to, those it names: a name word of the
    question occurs in the document's title or opening (where a contract names its parties). All of
    them when the question names none. Retrieval may route a second, merely similar document."""
    names = name_words(question)
    named = [source_id for source_id in source_ids
             if any(name in identity_words(catalog, source_id, opening_chars) for name in names)]
    return named or list(source_ids)


def subject_coverage(catalog: Catalog, subject: list[str], source_ids: list[str]) -> tuple[float, tuple[str, ...]]:
    """Rarity-weighted share of the subject words that occur in the given documents."""
    words = [w for w in subject if w not in _QUESTION_WORDS and not w.isdigit()]
    if not words or not source_ids:
        return 1.0, ()
    total_chunks = max(catalog.chunk_total(), 1)
    weight_sum = found_sum = 0.0
    missing = []
    for word in words:
        frequency = catalog.chunk_frequency(word)
        weight = math.log(1 + total_chunks / (1 + frequency))
        weight_sum += weight
        if frequency and catalog.chunk_frequency(word, source_ids):
            found_sum += weight
        else:
            missing.append(word)
    return (found_sum / weight_sum if weight_sum else 1.0), tuple(missing)


def assess(catalog: Catalog, question: str, source_ids: list[str], with_coverage: bool = True) -> Evidence:
    """`source_ids`: the documents the question is about (where retrieval routed it). The subject
    is the question's content words less the names, which identify the document, not the clause.
    The coverage costs a lookup per word, so it is left at 1.0 when nothing uses it."""
    names = set(name_words(question))
    subject = [w for w in content_words(question) if w not in names]
    coverage, missing = subject_coverage(catalog, subject, source_ids) if with_coverage else (1.0, ())
    return Evidence(unknown_names=unknown_names(catalog, question), coverage=coverage, missing=missing,
                    subject=tuple(subject))


def gate(catalog: Catalog, question: str, routed: list[str], passages: Sequence[Hit],
         checklists: Sequence[Checklist], coverage_threshold: float,
         abstention: AbstentionModel | None = None) -> tuple[Evidence, str]:
    """Before the model: the evidence for the question, and the reason to abstain in plain words
    ("" when the model may answer). In order: a name no indexed text mentions; a clause a
    checklist knows of which the documents the question names have none of the usual wording;
    and (off by default) too little of the question's subject in the document it routes to. The
    last two read English wording, so they stand aside when the question or the documents it is
    about are in German or French (grounding/languages.py): the model answers, and its answer is
    checked against the passages as any other. An English question about documents in another
    language keeps only the names that no language translates (acronyms, codes with digits):
    "European" is "Europäischen" in a German contract.

    Whether the documents it is about hold an answer at all is the learned decision of
    grounding/abstention.py (`abstention`, the shipped one by default): the clause signals, its
    detector, what retrieval found. Its probability is kept in the evidence."""
    evidence = assess(catalog, question, routed, with_coverage=coverage_threshold > 0)
    if evidence.unknown_names and not english_only(catalog, question, routed):
        evidence = dataclasses.replace(evidence, unknown_names=tuple(
            n for n in evidence.unknown_names if _untranslated(n, question)))
    if evidence.unknown_names:
        names = ", ".join(f'"{n}"' for n in evidence.unknown_names)
        return evidence, f"No indexed document mentions {names}."
    about = documents_named(catalog, question, routed)
    if not english_only(catalog, question, about):
        return evidence, ""
    abstention = abstention or load_model()
    asked = items_asked(catalog, question, checklists, about)
    seen = signs(catalog, question, about, passages, asked, load_detectors(), name_words(question))
    probability = abstention.probability(seen)
    evidence = dataclasses.replace(evidence, signs=as_row(seen), answer_probability=round(probability, 4))
    if probability < abstention.threshold:
        names = " and ".join(catalog.document(source_id).name for source_id in about)
        if asked and not seen.signal:
            labels = " or ".join(dict.fromkeys(_lower_first(item.label) for item in asked))
            reason = (f"{names} {'has' if len(about) == 1 else 'have'} no clause on {labels}: no sentence has "
                      "the wording such a clause usually has, and nothing found is close enough to it. "
                      "The nearest passages are listed.")
            return dataclasses.replace(evidence, absent_clauses=tuple(item.id for item in asked)), reason
        return evidence, (f"Nothing found in {names} is close enough to what the question asks. "
                          "The nearest passages are listed.")
    if evidence.coverage < coverage_threshold:
        single = len(routed) == 1 and passages[0].chunk.source_id == routed[0]
        missing = ", ".join(f'"{w}"' for w in evidence.missing[:4])
        return evidence, (f"{passages[0].doc_name if single else 'The document'} does not mention {missing}; "
                          "the nearest passages are listed.")
    return evidence, ""


def _untranslated(name: str, question: str) -> bool:
    """The name is written in the question in capitals or with a digit ("DORA", "NIS2")."""
    return any(t.lower() == name and ((t.isupper() and len(t) > 1) or any(c.isdigit() for c in t))
               for t in re.findall(r"\w+", question))


def _lower_first(label: str) -> str:
    """'Audit rights' -> 'audit rights', but 'IP ownership' stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]
