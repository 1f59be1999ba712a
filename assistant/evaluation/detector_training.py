"""Training the learned clause detectors (assistant/clauses/detectors.py) on clause-presence labels.

Per labelled clause type, with the checklist item that names it (`label_name`):
- examples are the item's candidate sentences (those matching its signals) in the labelled
  contracts: positive when the clause is present and the sentence overlaps one of its gold spans
  (the review scorer's overlap rule), negative otherwise;
- a logistic regression with an L1 penalty (scikit-learn, liblinear; classes weighted, since the
  clause is a few of the candidates) is fitted on their features (words, word pairs, heading words)
  that at least MIN_CONTRACTS training contracts share;
- out-of-fold probabilities, from folds by contract, decide per item whether the detector is used
  and at which threshold: the mode and threshold with the most contracts right (found / not found)
  win (the detector on a tie: it decides no worse and also ranks the evidence). The precision of
  "found" there is kept with the detector: below the review's bar, "found" reads "wording to check".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.clauses.candidates import candidates, load_document
from assistant.clauses.detectors import Detector, Detectors, features, heading_at
from assistant.evaluation.common import load_jsonl
from assistant.evaluation.review import quote_overlaps

FOLDS = 5
FOLD_SEED = 20261204
C = 1.0  # inverse strength of the L1 penalty
THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(1, 20))
# A feature counts only when the candidates of at least this many training contracts have it: a
# word of one or two contracts (a party's name, a product code) can only memorise those contracts.
MIN_CONTRACTS = 5
TIES = "both"  # which mode wins a tie of out-of-fold accuracy (see choose)


@dataclass
class LabelledDocument:
    name: str
    present: dict = field(default_factory=dict)  # label_name -> bool
    # label_name -> [(features, overlaps a gold span)] of the item's candidate sentences
    candidates: dict = field(default_factory=dict)


def items_by_label(checklists) -> dict:
    """label_name -> the first item of the checklists that carries it."""
    found = {}
    for checklist in checklists:
        for item in checklist.items:
            if item.label_name and item.label_name not in found:
                found[item.label_name] = item
    return found


def labelled_documents(catalog, labels: list[dict], items: dict) -> list[LabelledDocument]:
    """The labelled documents of an index's catalog (by file name) with each item's candidates."""
    by_name = {d.name: d.source_id for d in catalog.documents()}
    rows: dict = {}
    for row in labels:
        rows.setdefault(row["doc"], []).append(row)
    found = []
    for name, doc_rows in rows.items():
        if name not in by_name:
            continue
        document = load_document(catalog, by_name[name])
        chunks = catalog.window_texts(by_name[name])[1]
        doc = LabelledDocument(name)
        for row in doc_rows:
            item = items.get(row["item"])
            if item is None:
                continue
            present, spans = bool(row["present"]), list(row.get("spans") or [])
            doc.present[row["item"]] = present
            doc.candidates[row["item"]] = [
                (features(text, heading_at(chunks, page, start)),
                 present and any(quote_overlaps(text, span) for span in spans))
                for page, start, _end, text in (candidates(document, item) if item.signals else [])]
        found.append(doc)
    return found


def shared_features(docs: list[LabelledDocument], label: str, least: int | None = None) -> set:
    """The features that the item's candidates have in at least `least` (MIN_CONTRACTS) of the documents."""
    least = MIN_CONTRACTS if least is None else least
    counts: dict = {}
    for d in docs:
        for f in set().union(*(fs for fs, _ in d.candidates.get(label, [])) or [set()]):
            counts[f] = counts.get(f, 0) + 1
    return {f for f, n in counts.items() if n >= least}


def examples_of(docs: list[LabelledDocument], label: str) -> tuple[list[set], list[bool]]:
    keep = shared_features(docs, label)
    pairs = [(fs & keep, t) for d in docs for fs, t in d.candidates.get(label, [])]
    return [f for f, _ in pairs], [t for _, t in pairs]


def fit(examples: list[set], targets: list[bool], c: float = C) -> tuple[dict, float]:
    """(feature -> weight, bias) of an L1 logistic regression on present-or-absent features."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if not any(examples):  # no feature left to weigh: the classes balanced, every candidate is even odds
        return {}, 0.0
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{f: 1 for f in e} for e in examples]).tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)  # liblinear takes 32-bit indices
    model = LogisticRegression(l1_ratio=1.0, solver="liblinear", C=c, class_weight="balanced", max_iter=1000,
                               random_state=0)
    model.fit(x, targets)
    names = vectorizer.get_feature_names_out()
    weights = {str(names[j]): float(w) for j, w in enumerate(model.coef_[0]) if abs(w) >= 1e-4}
    return weights, float(model.intercept_[0])


def folds(names: list[str], k: int = FOLDS, seed: int = FOLD_SEED) -> dict[str, int]:
    ordered = sorted(names, key=str.casefold)
    random.Random(seed).shuffle(ordered)
    return {name: n % k for n, name in enumerate(ordered)}


def document_score(detector: Detector, doc: LabelledDocument, label: str) -> float:
    """The likeliest of the item's candidates in the document (0 with none)."""
    return max((probability(detector, f) for f, _ in doc.candidates.get(label, [])), default=0.0)


def probability(detector: Detector, found_features: set) -> float:
    import math

    z = detector.bias + sum(detector.weights.get(f, 0.0) for f in found_features)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def out_of_fold_scores(docs: list[LabelledDocument], label: str, c: float = C) -> list[float]:
    """Each document's score from a detector fitted on the other folds. A fold whose training part
    has no positive candidate scores 0 (such a detector never finds the clause), one with no
    negative scores 1."""
    fold_of = folds([d.name for d in docs])
    scores = [0.0] * len(docs)
    for fold in range(FOLDS):
        examples, targets = examples_of([d for d in docs if fold_of[d.name] != fold], label)
        kinds = set(targets)
        if len(kinds) < 2:
            for i, d in enumerate(docs):
                if fold_of[d.name] == fold:
                    scores[i] = 1.0 if kinds == {True} else 0.0
            continue
        weights, bias = fit(examples, targets, c)
        detector = Detector(label, weights, bias, 0.5)
        for i, d in enumerate(docs):
            if fold_of[d.name] == fold:
                scores[i] = document_score(detector, d, label)
    return scores


def choose(docs: list[LabelledDocument], label: str, scores: list[float] | None) -> tuple[str, float, dict]:
    """(mode, threshold, figures): the signals alone, or signals and detector at the threshold with
    the most documents right on the out-of-fold scores (see TIES). The figures give the
    chosen mode's precision of "found" on those documents."""
    present = [d.present[label] for d in docs]
    has_candidate = [bool(d.candidates.get(label)) for d in docs]
    options = [("signals", 0.5, has_candidate)]
    if scores is not None:
        options += [("both", t, [h and s >= t for h, s in zip(has_candidate, scores)]) for t in THRESHOLDS]
    right = [sum(f == p for f, p in zip(found, present)) for _, _, found in options]
    # On a tie the detector wins (TIES): it decides no worse there, and it also ranks the evidence.
    order = (lambda n: -n) if TIES == "signals" else (lambda n: n)
    best = max(range(len(options)), key=lambda n: (right[n], order(n)))
    mode, threshold, found = options[best]
    true_found = sum(f and p for f, p in zip(found, present))
    figures = {"documents": len(docs), "present": sum(present), "signals_correct": right[0],
               "chosen_correct": right[best], "found": sum(found), "true_found": true_found,
               "precision": true_found / sum(found) if sum(found) else 1.0}
    return mode, threshold, figures


def train(docs: list[LabelledDocument], labels: list[str], trained_on: str = "",
          c: float = C) -> tuple[Detectors, dict]:
    by_label, report = {}, {}
    for label in labels:
        scored = [d for d in docs if label in d.present]
        examples = [e for d in scored for e in d.candidates.get(label, [])]
        if len({t for _, t in examples}) < 2:  # nothing to learn from: the signals decide, measured as they are
            _mode, _t, figures = choose(scored, label, None)
            by_label[label] = Detector(label, {}, 0.0, 0.5, "signals", figures["precision"])
            report[label] = {"mode": "signals", "threshold": None, "features": 0, **figures}
            continue
        mode, threshold, figures = choose(scored, label, out_of_fold_scores(scored, label, c))
        weights, bias = fit(*examples_of(scored, label), c)
        by_label[label] = Detector(label, weights, bias, threshold, mode, figures["precision"])
        report[label] = {"mode": mode, "threshold": threshold, "features": len(weights), **figures}
    return Detectors(by_label, trained_on), report



def train_on_corpus(corpus: Path, labels_file: Path, checklists, assistant_factory, index_dir: Path | None = None,
                    trained_on: str = "", c: float = C) -> tuple[Detectors, dict]:
    """Index the labelled documents of `corpus` (their text is all the detectors read: fast vectors
    do), then train a detector for every labelled item of the checklists."""
    import tempfile

    labels = load_jsonl(labels_file)
    names = list(dict.fromkeys(row["doc"] for row in labels))
    items = items_by_label(checklists)
    with tempfile.TemporaryDirectory(prefix="clausewise-detectors-") as tmp:
        assistant = assistant_factory(index_dir or Path(tmp) / "index")
        try:
            assistant.ingest([Path(corpus) / n for n in names])
            docs = labelled_documents(assistant.index.catalog, labels, items)
        finally:
            assistant.close()
    wanted = [label for label in dict.fromkeys(row["item"] for row in labels) if label in items]
    return train(docs, sorted(wanted), trained_on or f"{len(docs)} contracts of {Path(labels_file).parent.name}", c)
