"""Retrieval evaluation in the format of the shared eval set: a run file with the ranked chunks per
question, and recall@5, recall@10 and MRR@10 under the reference scorer's hit rule (gold document,
and the chunk contains a gold span or shares a common substring with it covering half of it)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from assistant.evaluation.common import OVERLAP, load_jsonl, normalise


def span_hit(chunk_norm: str, span_norm: str) -> bool:
    if not span_norm:
        return False
    if span_norm in chunk_norm:
        return True
    match = SequenceMatcher(None, chunk_norm, span_norm, autojunk=False).find_longest_match(
        0, len(chunk_norm), 0, len(span_norm)
    )
    return match.size >= OVERLAP * len(span_norm)


def is_hit(question: dict, chunk: dict) -> bool:
    if os.path.basename(chunk.get("doc") or "") != question["doc"]:
        return False
    text = normalise(chunk.get("text", ""))
    return any(span_hit(text, normalise(span)) for span in question["answers"])


@dataclass(frozen=True)
class RetrievalScores:
    questions: int
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float


def score_run(questions: list[dict], run: dict[str, list[dict]]) -> tuple[RetrievalScores, dict[str, int | None]]:
    first_hit: dict[str, int | None] = {}
    for q in questions:
        if not q.get("answers"):
            continue
        chunks = run.get(q["id"], [])
        first_hit[q["id"]] = next((i + 1 for i, c in enumerate(chunks[:10]) if is_hit(q, c)), None)
    n = len(first_hit)
    if n == 0:
        return RetrievalScores(0, 0.0, 0.0, 0.0), first_hit
    ranks = list(first_hit.values())
    return RetrievalScores(
        questions=n,
        recall_at_5=sum(1 for r in ranks if r and r <= 5) / n,
        recall_at_10=sum(1 for r in ranks if r and r <= 10) / n,
        mrr_at_10=sum(1.0 / r for r in ranks if r) / n,
    ), first_hit


def run_retrieval_eval(corpus: Path, questions_file: Path, out: Path, k: int = 10, embedder=None,
                       progress=None, fast_embedder=None, upgrade: bool = False) -> tuple[RetrievalScores, dict]:
    """Index the corpus into a fresh temporary folder, retrieve for every question, write the run
    file, and score it. Returns the scores and timing facts. With a `fast_embedder`, the corpus
    is indexed with its vectors and, unless `upgrade`, not upgraded: this scores the fast tier alone;
    with `upgrade`, the path a user's collection takes (fast first, then MiniLM's vectors)."""
    from assistant.service import Assistant

    questions = load_jsonl(questions_file)
    facts = {}
    with tempfile.TemporaryDirectory(prefix="clausewise-eval-") as tmp:
        assistant = Assistant(Path(tmp) / "index", embedder=embedder, fast_embedder=fast_embedder)
        began = time.perf_counter()
        reports = assistant.ingest([corpus], progress=progress)
        if upgrade and fast_embedder is not None:
            assistant.upgrade()
        facts["ingest_seconds"] = time.perf_counter() - began
        facts["failed"] = [r for r in reports if r.status.value == "failed"]
        run: dict[str, list[dict]] = {}
        began = time.perf_counter()
        with open(out, "w", encoding="utf-8") as handle:
            for q in questions:
                hits = assistant.search(q["question"], k=max(k, 10))
                retrieved = [{"doc": h.doc_name, "page": h.page, "text": h.text} for h in hits]
                run[q["id"]] = retrieved
                handle.write(json.dumps({"id": q["id"], "retrieved": retrieved}, ensure_ascii=False) + "\n")
        facts["search_seconds"] = time.perf_counter() - began
        assistant.close()
    scores, first_hit = score_run(questions, run)
    facts["first_hit"] = first_hit
    return scores, facts
