"""Retrieval scores of a run file by question language: German, French, and cross-lingual
(English questions about a German or a French document), scored with the same hit rule as
`clausewise eval retrieval`.

    .venv/bin/clausewise eval retrieval --corpus ../shared/eval/multilingual/corpus \
        --questions ../shared/eval/multilingual/dev.jsonl --out run.jsonl
    .venv/bin/python -m tests.benchmarks.multilingual_breakdown ../shared/eval/multilingual/dev.jsonl run.jsonl

With `--index DIR --corpus DIR` it writes the run file itself, searching an index it keeps in DIR
(built with the same defaults as `eval retrieval`: MiniLM, and e5 for German and French; an
ingest skips what is already there), so retrieval changes can be scored again in seconds rather
than re-embedding the corpus (about 20 minutes with e5 here). `--no-multilingual`: MiniLM only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.evaluation.common import load_jsonl
from assistant.evaluation.retrieval import score_run


def group_of(question: dict) -> str:
    lang = question.get("lang") or "en"
    if lang == "en-cross":
        return f"en-cross -> {question.get('doc_lang')}"
    return lang


def breakdown(questions: list[dict], run: dict[str, list[dict]]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for q in questions:
        if q.get("answers"):
            groups.setdefault(group_of(q), []).append(q)
            if q.get("lang") == "en-cross":
                groups.setdefault("en-cross (all)", []).append(q)
    groups["all answerable"] = [q for q in questions if q.get("answers")]
    table = {}
    for name, members in groups.items():
        scores, _ = score_run(members, run)
        table[name] = {"n": scores.questions, "recall@5": scores.recall_at_5, "recall@10": scores.recall_at_10,
                       "mrr@10": scores.mrr_at_10}
    return table


def write_run(index: Path, corpus: Path, questions: Path, out: Path, multilingual: bool) -> None:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.embedding.minilm import MiniLMEmbedder
    from assistant.service import Assistant

    if multilingual:
        assistant = Assistant(index)
    else:
        assistant = Assistant(index, embedder=MiniLMEmbedder())
    assistant.ingest([corpus])
    with open(out, "w", encoding="utf-8") as handle:
        for q in load_jsonl(questions):
            hits = assistant.search(q["question"], k=10)
            retrieved = [{"doc": h.doc_name, "page": h.page, "text": h.text} for h in hits]
            handle.write(json.dumps({"id": q["id"], "retrieved": retrieved}, ensure_ascii=False) + "\n")
    assistant.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("run", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--no-multilingual", action="store_true")
    args = parser.parse_args(argv)
    if args.index:
        write_run(args.index, args.corpus, args.questions, args.run, not args.no_multilingual)
    run = {row["id"]: row["retrieved"] for row in load_jsonl(args.run)}
    table = breakdown(load_jsonl(args.questions), run)
    print(f"{'group':<18} {'n':>3}  {'R@5':>5}  {'R@10':>5}  {'MRR@10':>6}")
    for name, row in table.items():
        print(f"{name:<18} {row['n']:>3}  {row['recall@5']:.3f}  {row['recall@10']:.3f}  {row['mrr@10']:.4f}")
    print(json.dumps(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
