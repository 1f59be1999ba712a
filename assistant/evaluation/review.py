"""Scoring a review against clause-presence labels (the format of the shared eval set's
`clause_presence.jsonl`: one line per document and CUAD clause, `present` and gold `spans`).

Every labelled clause type is reviewed by the checklist item that names it (`label_name`): by
default the shipped checklists' items, cut down to the labelled ones, so each (document, clause)
pair of the labels gets a cell; a pair with none is counted as missing.

For the (document, item) pairs both the labels and the review have:
- accuracy: the share whose "found" agrees with `present`; "unclear" counts as not found;
- precision and recall of "found" against `present`;
- evidence overlap: the share of "found" cells with a quote overlapping a gold span, by the
  retrieval scorer's rule applied both ways (one contains the other, or their longest common
  substring covers half of the shorter); and the same for the cell's first quote alone, since a
  found cell may carry a second quote.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from dataclasses import dataclass
from typing import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from assistant.evaluation.common import OVERLAP, load_jsonl, normalise
from assistant.types import Cell, ReviewStatus
from assistant.clauses.checklist import Checklist


@dataclass(frozen=True)
class ReviewScores:
    cells: int
    accuracy: float
    found_precision: float
    found_recall: float
    evidence_overlap: float
    first_quote_overlap: float
    found: int
    unclear: int
    present: int
    missing: int = 0  # labelled (document, clause) pairs the review gave no cell


def quote_overlaps(quote: str, span: str) -> bool:
    a, b = normalise(quote), normalise(span)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= OVERLAP * min(len(a), len(b))


def cell_line(cell: Cell, checklist: Checklist) -> dict:
    item = checklist.item(cell.item)
    return {"doc": cell.doc, "item": item.label_name or item.id, "status": cell.status, "value": cell.value,
            "evidence": [{"page": q.page, "quote": q.quote} for q in cell.evidence]}


def score_review(labels: list[dict], lines: list[dict]) -> ReviewScores:
    gold = {(row["doc"], row["item"]): row for row in labels}
    pairs = [(line, gold[(line["doc"], line["item"])]) for line in lines if (line["doc"], line["item"]) in gold]
    missing = len(set(gold) - {(line["doc"], line["item"]) for line in lines})
    if not pairs:
        return ReviewScores(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, missing)
    found = [(line, row) for line, row in pairs if line["status"] == ReviewStatus.FOUND]
    correct = sum((line["status"] == ReviewStatus.FOUND) == bool(row["present"]) for line, row in pairs)
    true_found = sum(bool(row["present"]) for _, row in found)
    present = sum(bool(row["present"]) for _, row in pairs)

    def overlaps(quotes, spans) -> bool:
        return any(quote_overlaps(q["quote"], span) for q in quotes for span in spans)

    overlapping = sum(overlaps(line["evidence"], row["spans"]) for line, row in found)
    first_overlapping = sum(overlaps(line["evidence"][:1], row["spans"]) for line, row in found)
    return ReviewScores(
        cells=len(pairs), accuracy=correct / len(pairs),
        found_precision=true_found / len(found) if found else 0.0,
        found_recall=true_found / present if present else 0.0,
        evidence_overlap=overlapping / len(found) if found else 0.0,
        first_quote_overlap=first_overlapping / len(found) if found else 0.0,
        found=len(found), unclear=sum(line["status"] == "unclear" for line, _ in pairs), present=present,
        missing=missing)


def labelled_checklists(checklists: Sequence[Checklist], labels: list[dict]) -> list[Checklist]:
    """The checklists cut down to the items that name a labelled clause (`label_name`), each clause
    reviewed once, by the first checklist that has it; a checklist left with none is dropped."""
    wanted = {row["item"] for row in labels}
    taken: set[str] = set()
    kept = []
    for checklist in checklists:
        items = []
        for item in checklist.items:
            if item.label_name in wanted and item.label_name not in taken:
                taken.add(item.label_name)
                items.append(item)
        if items:
            kept.append(dataclasses.replace(checklist, items=tuple(items)))
    return kept


class SignalsOnlyJudge:
    """A stand-in for the model that accepts the first excerpt of every item: the review is then
    decided by the signals and the learned detectors alone, in seconds rather than minutes (for
    tuning them; the default model said YES to nearly every candidate anyway, README "Measured")."""

    name = "signals-only"

    def stream(self, messages, max_tokens: int = 0, temperature: float = 0.0, cancel=None):
        yield "ANSWER: YES\nEXCERPT: 1\nVALUE: NONE"


def run_review_eval(corpus: Path, labels_file: Path, out: Path, checklist: Checklist | Sequence[Checklist],
                    assistant_factory, index_dir: Path | None = None, progress=None, on_cell=None,
                    judge=None, detectors="shipped") -> tuple[ReviewScores, dict]:
    """Index the documents the labels name (from `corpus`), review them with the items of the
    checklists that name a labelled clause, write one line per document and item, and score the
    lines against the labels. `judge` stands in for the model (SignalsOnlyJudge); `detectors` None
    decides by the signals alone (for comparison)."""
    labels = load_jsonl(labels_file)
    checklists = labelled_checklists([checklist] if isinstance(checklist, Checklist) else list(checklist), labels)
    names = list(dict.fromkeys(row["doc"] for row in labels))
    missing = [n for n in names if not (Path(corpus) / n).is_file()]
    if missing:
        from assistant.errors import ClausewiseError

        raise ClausewiseError(f"The labels name documents not in {corpus}: {', '.join(missing[:3])}.")
    covered = {item.label_name for c in checklists for item in c.items}
    facts: dict = {"documents": len(names), "uncovered": sorted({row["item"] for row in labels} - covered)}
    with tempfile.TemporaryDirectory(prefix="clausewise-review-eval-") as tmp:
        assistant = assistant_factory(index_dir or Path(tmp) / "index")
        began = time.perf_counter()
        reports = assistant.ingest([Path(corpus) / n for n in names])
        # Score what the collection ends as: full-quality vectors. Without the model (judge) the
        # review is for tuning in seconds, and the fast vectors only order equally strong candidates.
        if getattr(assistant, "fast_embedder", None) is not None and judge is None:
            assistant.upgrade()
        facts["ingest_seconds"] = time.perf_counter() - began
        facts["failed"] = [r for r in reports if r.status.value == "failed"]
        lines = []
        began = time.perf_counter()
        with open(out, "w", encoding="utf-8") as handle:
            for reviewed in checklists:
                for cell in _review(assistant, reviewed, names, progress, judge, detectors):
                    line = cell_line(cell, reviewed)
                    lines.append(line)
                    handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                    handle.flush()
                    if on_cell:
                        on_cell(cell, line)
        facts["review_seconds"] = time.perf_counter() - began
        assistant.close()
    return score_review(labels, lines), facts


def _review(assistant, checklist: Checklist, names: list[str], progress, judge, detectors):
    if judge is None and detectors == "shipped":
        return assistant.review(checklist, documents=names, progress=progress)
    from assistant.review.engine import Reviewer

    generator, model = (assistant.generator, assistant.model_name) if judge is None else (judge, judge.name)
    reviewer = Reviewer(assistant.index, assistant.retriever(), generator, model, assistant.index.review_cache,
                        detectors=detectors)
    return reviewer.review(checklist, assistant.index.catalog.resolve(names), progress=progress)
