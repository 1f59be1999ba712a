"""Does the document hold an answer at all? A decision learned from labelled questions, not a rule
on wordings.

The missing-clause check it replaces refused whenever no sentence matched a clause's signals
(regular expressions): on contracts nobody tuned on, 20 of 23 wrong abstentions came from it, since
each contract words a clause its own way. Here the signals are one feature among several, each
measured before the model runs:

- `asks_clause`: the question asks about a clause a checklist knows (clauses/presence.py);
- `signal`: a sentence of the documents it is about matches that clause's signals;
- `detector`: the highest probability the learned detector of that clause gives such a sentence
  (clauses/detectors.py), 0 where none matches or the clause has no detector;
- `read`: the highest probability that detector gives any sentence of the passages found, signal
  or not: a contract may word the clause in a way no signal foresaw, and the detector reads words;
- `dense`: the best passage's cosine similarity to the question (MiniLM), 0 when unknown;
- `subject`: the largest share of the question's subject (grounding/subject.py) that one
  sentence of the passages holds.

A logistic regression over them gives the probability that the question is answerable; the answer
abstains below `threshold`. Weights and threshold are data (`abstention.json`), fitted by
`python -m tests.benchmarks.abstention_training` on the tuning part of cuad100 and the natural
questions, the threshold chosen there for a stated rate of wrong abstentions; the trade-off on the
part nobody tuned on is in docs/measurements (README, "Measured").
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from assistant.clauses.candidates import candidates, load_document
from assistant.clauses.detectors import Detectors, heading_at
from assistant.grounding.subject import document_identity, stem, subject_stems
from assistant.grounding.units import passage_units
from assistant.text import content_words
from assistant.types import Hit

SHIPPED_FILE = Path(__file__).with_name("abstention.json")


@dataclass(frozen=True)
class Signs:
    """What the index shows about a question before the model runs (the features)."""
    asks_clause: float
    signal: float
    detector: float
    read: float
    dense: float
    subject: float

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


FEATURES = tuple(Signs.__dataclass_fields__)


@dataclass(frozen=True)
class AbstentionModel:
    weights: dict
    bias: float
    threshold: float  # abstain when the probability of an answer is below this
    trained_on: str = ""

    def probability(self, signs: Signs) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in zip(FEATURES, signs.vector()))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def abstains(self, signs: Signs) -> bool:
        return self.probability(signs) < self.threshold

    def to_json(self) -> str:
        return json.dumps({"trained_on": self.trained_on, "threshold": round(self.threshold, 4),
                           "bias": round(self.bias, 4), "weights": {k: round(v, 4) for k, v in self.weights.items()}},
                          indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "AbstentionModel":
        data = json.loads(text)
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                   float(data["threshold"]), data.get("trained_on", ""))


@lru_cache(maxsize=4)
def load_model(path: Path = SHIPPED_FILE) -> AbstentionModel:
    return AbstentionModel.from_json(Path(path).read_text(encoding="utf-8"))


def signs(catalog, question: str, about: Sequence[str], passages: Sequence[Hit], items: Sequence,
          detectors: Detectors | None, names: Sequence[str]) -> Signs:
    """The features of one question over the documents it is about (`about`), the passages found
    and the checklist items it asks about."""
    signal, detector = 0.0, 0.0
    if items and about:
        for source_id in about:
            document, chunks = load_document(catalog, source_id), None
            for item in items:
                found = candidates(document, item)
                if not found:
                    continue
                signal = 1.0
                learned = detectors.for_item(item) if detectors is not None else None
                if learned is None:
                    continue
                chunks = chunks if chunks is not None else catalog.window_texts(source_id)[1]
                for page, start, _, text in found:
                    detector = max(detector, learned.probability(text, heading_at(chunks, page, start)))
    dense = max((1.0 - h.dense_distance for h in passages if h.dense_distance is not None), default=0.0)
    subject = subject_stems(question, names, document_identity(catalog, passages))
    units = passage_units(passages, lambda hit: _page_text(catalog, hit))
    learned = [d for d in (detectors.for_item(item) for item in items) if d is not None] if detectors else []
    read = max((d.probability(u.text, u.clause) for d in learned for u in units), default=0.0)
    share = max((len(subject & {stem(w) for w in content_words(u.text)}) / len(subject) for u in units),
                default=0.0) if subject else 0.0
    return Signs(float(bool(items)), signal, detector, read, max(0.0, dense), share)


def _page_text(catalog, hit: Hit) -> str | None:
    page = catalog.page(hit.chunk.source_id, hit.page)
    return page.text if page is not None else None


def as_row(signs: Signs) -> dict:
    return asdict(signs)
