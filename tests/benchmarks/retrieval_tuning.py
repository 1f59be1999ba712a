"""Retrieval tuning on a kept index: index a labelled corpus once, then re-run the search with
other settings as often as needed, scored as `clausewise eval retrieval` scores it.

    .venv/bin/python -m tests.benchmarks.retrieval_tuning --index /tmp/rt/tune \
        --corpus /work/split/tune/corpus --questions /work/split/tune/questions.jsonl \
        [--set focused_lexical_weight=2.0 ...] [--show-misses]

The index is built the first time (MiniLM vectors, as the eval command builds it) and reused
after that; `--set NAME=VALUE` overrides a RetrievalSettings field for this run only. Prints
recall@5, recall@10, MRR@10, the warm search time per question, and with --show-misses each
answerable question whose gold passage is not first, with the documents it was routed to.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import time
from pathlib import Path

from assistant.evaluation.common import load_jsonl
from assistant.evaluation.retrieval import score_run
from assistant.retrieval.hybrid import HybridRetriever
from assistant.service import Assistant
from assistant.settings import RetrievalSettings


def parse_value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def open_index(index_dir: Path, corpus: Path) -> Assistant:
    assistant = Assistant(index_dir)
    if not (index_dir / "manifest.json").exists() or not assistant.documents():
        began = time.perf_counter()
        assistant.ingest([corpus])
        print(f"indexed {len(assistant.documents())} documents in {time.perf_counter() - began:.0f} s")
    return assistant


def run(assistant: Assistant, questions: list[dict], settings: RetrievalSettings, k: int = 10):
    retriever = HybridRetriever(assistant.index, assistant.embedder, settings, clause_ranker=assistant.clause_ranker)
    retriever.search("warm up the embedder", k=k)
    run_file, routed, times = {}, {}, []
    for q in questions:
        began = time.perf_counter()
        result = retriever.retrieve(q["question"], k=k)
        times.append(time.perf_counter() - began)
        run_file[q["id"]] = [{"doc": h.doc_name, "page": h.page, "text": h.text} for h in result.hits]
        names = {d.source_id: d.name for d in assistant.documents()} if not routed else routed["_names"]
        routed["_names"] = names
        routed[q["id"]] = [names.get(sid, sid) for sid in result.routed]
    scores, first_hit = score_run(questions, run_file)
    return scores, first_hit, run_file, routed, times


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--show-misses", action="store_true")
    p.add_argument("--json", type=Path, help="write per-question first-hit ranks here")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    overrides = dict(item.split("=", 1) for item in args.set)
    settings = dataclasses.replace(RetrievalSettings(), **{k: parse_value(v) for k, v in overrides.items()})
    assistant = open_index(args.index, args.corpus)
    questions = load_jsonl(args.questions)
    scores, first_hit, run_file, routed, times = run(assistant, questions, settings)
    print(f"{args.questions.parent.name or args.questions.name}: {scores.questions} q  "
          f"recall@5 {scores.recall_at_5:.3f}  recall@10 {scores.recall_at_10:.3f}  MRR@10 {scores.mrr_at_10:.3f}  "
          f"search median {statistics.median(times) * 1000:.1f} ms, mean {statistics.mean(times) * 1000:.1f} ms")
    if args.show_misses:
        for q in questions:
            rank = first_hit.get(q["id"], 0)
            if rank == 0 or rank == 1:
                continue
            doc_ok = q["doc"] in routed[q["id"]]
            got = [c["doc"] == q["doc"] for c in run_file[q["id"]]]
            print(f"rank {rank or '-'}  routed_ok={doc_ok} gold_doc_hits={sum(got)}  [{q['category']}] {q['question']}")
    if args.json:
        args.json.write_text(json.dumps({"first_hit": first_hit, "routed": {k: v for k, v in routed.items()
                                                                            if k != "_names"}}, indent=1))
    assistant.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
