"""Learned clause detectors: per checklist item, a logistic regression that reads a candidate
sentence (one that matches the item's signals) and says how likely it is the clause itself rather
than wording that only resembles it ("governed by the shipping schedule", "no third-party
beneficiaries"). Trained on labelled contracts (CUAD's clause presence labels) by
`clausewise eval train-detectors` (assistant/evaluation/detector_training.py).

Features are the words and word pairs of the sentence and the words of the clause heading it sits
under (`features`), present or not. An L1 penalty keeps a few dozen of them per item, so a
detector is a short list a person can read: the words that make a sentence the clause, and those
that make it something else. Inference is a sum of weights: no model, no embedder, the same result
on every machine. (The MiniLM window vectors the index holds were the first choice; on two busy
cores their upgrade of the 100 labelled contracts ran at 3 windows a second, over an hour, and a
word model needs none of it.)

They are data, not code: `detectors/detectors.json` holds, for each item (by its CUAD clause name),
the weights, the bias, the threshold a candidate must reach, the mode and the precision measured
out of fold when it was trained. Each item's `mode` was chosen on the training contracts, by
cross-validation over contracts:
- "signals": the detector did worse than the signals there; the signals alone decide;
- "both": "found" needs a candidate whose probability reaches the threshold; the others are not
  shown to the model, and the likeliest is the evidence.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

SHIPPED_FILE = Path(__file__).parent / "detectors" / "detectors.json"
MODES = ("signals", "both")
_WORD = re.compile(r"[a-z]+|\d+")


def features(sentence: str, heading: str = "") -> set[str]:
    """The words and adjacent word pairs of a sentence (lower case, every number as "0"), and the
    words of its clause heading marked "h:"."""
    words = ["0" if w.isdigit() else w for w in _WORD.findall(sentence.lower())]
    found = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}
    found |= {f"h:{w}" for w in _WORD.findall(heading.lower()) if not w.isdigit()}
    return found


@dataclass(frozen=True)
class Detector:
    label_name: str  # the item's name in the labels (CUAD's clause name)
    weights: dict  # feature -> weight; features not listed weigh nothing
    bias: float
    threshold: float  # a candidate at or above this probability is taken for the clause
    mode: str = "both"
    # The precision of "found" for this item on the contracts it was trained on, out of fold:
    # below the review's bar, "found" reads "wording to check".
    precision: float = 1.0

    def probability(self, sentence: str, heading: str = "") -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in features(sentence, heading))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Detectors:
    by_label: dict  # label_name -> Detector
    trained_on: str = ""  # what they were trained on, for people

    def for_item(self, item) -> Detector | None:
        return self.by_label.get(item.label_name) if item.label_name else None

    @property
    def fingerprint(self) -> str:
        """Changes with any weight, threshold or mode: review cells decided by other detectors are not reused."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def to_json(self) -> str:
        return json.dumps({
            "trained_on": self.trained_on,
            "detectors": {name: {"mode": d.mode, "threshold": round(float(d.threshold), 4),
                                 "precision": round(float(d.precision), 3), "bias": round(float(d.bias), 4),
                                 "weights": {f: round(float(w), 4) for f, w in
                                             sorted(d.weights.items(), key=lambda fw: (-abs(fw[1]), fw[0]))}}
                          for name, d in sorted(self.by_label.items())},
        }, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Detectors":
        data = json.loads(text)
        by_label = {}
        for name, d in data["detectors"].items():
            if d.get("mode", "both") not in MODES or not isinstance(d.get("weights"), dict):
                raise ValueError(f"the detector for {name!r} is malformed")
            by_label[name] = Detector(name, {str(f): float(w) for f, w in d["weights"].items()}, float(d["bias"]),
                                      float(d["threshold"]), d.get("mode", "both"), float(d.get("precision", 1.0)))
        return cls(by_label, data.get("trained_on", ""))


_LOADED: dict[Path, "Detectors | None"] = {}


def load_detectors(path: Path = SHIPPED_FILE) -> Detectors | None:
    """The detectors in a file (the shipped one by default), or None when it is missing or malformed:
    a review then rests on the signals alone."""
    path = Path(path)
    if path not in _LOADED:
        try:
            _LOADED[path] = Detectors.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            _LOADED[path] = None
    return _LOADED[path]


def heading_at(chunks, page: int, start: int) -> str:
    """The clause heading of the chunk holding page offset `start` ("" when none does)."""
    for chunk in chunks:
        if chunk.page == page and chunk.start <= start < chunk.end:
            return chunk.heading or ""
    return ""
