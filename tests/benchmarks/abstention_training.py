"""Fit the abstention decision (assistant/grounding/abstention.py) on labelled questions (a script,
not a test): prints figures, and writes the model only with --write.

    python -m tests.benchmarks.abstention_training \\
        --tune CORPUS QUESTIONS INDEX [--tune ...] --measure CORPUS QUESTIONS INDEX [--measure ...] \\
        [--false-abstention 0.05] [--write]

Every question goes through the real Answerer (MiniLM, Chroma, SQLite) with a generator that
writes nothing and a decision that never abstains, so what is recorded is what the decision would
read before the model runs: its `Signs`. A logistic regression is fitted on the --tune sets
(answerable or not), and its threshold is the highest that abstains on at most --false-abstention
of their answerable questions. The --measure sets, never used for fitting, give the trade-off
curve: at each threshold, the share of answerable questions wrongly abstained on and of
unanswerable ones abstained on. Signs are cached beside each index (signs.jsonl), so a refit takes
seconds.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from assistant.clauses.checklist import all_checklists
from assistant.evaluation.common import load_jsonl
from assistant.generation.answering import Answerer
from assistant.grounding.abstention import FEATURES, SHIPPED_FILE, AbstentionModel, Signs
from assistant.runtime import cli_runtime
from assistant.settings import Settings
from assistant.types import Answer


class SilentGenerator:
    def stream(self, *args, **kwargs):
        return iter(())


NEVER = AbstentionModel({}, 50.0, 0.0, "never abstains")


def question_signs(corpus: Path, questions: Path, index: Path) -> list[tuple[dict, bool]]:
    """(signs, answerable) per question whose decision the gate reaches (a name no document
    mentions is refused before it, whatever the decision)."""
    cache = index / f"signs-{questions.stem}.jsonl"
    if cache.exists():
        return [(row["signs"], row["answerable"]) for row in load_jsonl(cache)]
    assistant = cli_runtime(Settings()).assistant(index)
    assistant.ingest(sorted(p for p in corpus.iterdir() if p.is_file()))
    assistant.upgrade()
    answerer = Answerer(assistant.retriever(), SilentGenerator(), assistant.answer_settings, all_checklists(), NEVER)
    rows = []
    for q in load_jsonl(questions):
        answer = next(e for e in answerer.ask(q["question"]) if isinstance(e, Answer))
        evidence = (answer.parts[0] if answer.parts else answer).evidence
        if evidence.signs:
            rows.append({"id": q["id"], "signs": evidence.signs, "answerable": bool(q["answers"])})
    assistant.close()
    cache.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return [(row["signs"], row["answerable"]) for row in rows]


def fit(rows: list[tuple[dict, bool]]) -> AbstentionModel:
    from sklearn.linear_model import LogisticRegression

    x = [[signs[name] for name in FEATURES] for signs, _ in rows]
    y = [int(answerable) for _, answerable in rows]
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(x, y)
    return AbstentionModel(dict(zip(FEATURES, map(float, model.coef_[0]))), float(model.intercept_[0]), 0.5)


def rates(model: AbstentionModel, rows, threshold: float) -> tuple[float, float]:
    """(answerable wrongly abstained on, unanswerable abstained on) at `threshold`."""
    answerable = [s for s, a in rows if a]
    unanswerable = [s for s, a in rows if not a]

    def share(group):
        return sum(model.probability(Signs(**s)) < threshold for s in group) / len(group) if group else 0.0

    return share(answerable), share(unanswerable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", nargs=3, action="append", type=Path, required=True,
                        metavar=("CORPUS", "QUESTIONS", "INDEX"))
    parser.add_argument("--measure", nargs=3, action="append", type=Path, default=[],
                        metavar=("CORPUS", "QUESTIONS", "INDEX"))
    parser.add_argument("--false-abstention", type=float, default=0.05,
                        help="the share of the tuning sets' answerable questions the gate may abstain on")
    parser.add_argument("--write", action="store_true", help=f"write the fitted model to {SHIPPED_FILE}")
    args = parser.parse_args()
    tune = [row for corpus, questions, index in args.tune for row in question_signs(corpus, questions, index)]
    model = fit(tune)
    grid = [round(0.02 * i, 2) for i in range(1, 50)]
    allowed = [t for t in grid if rates(model, tune, t)[0] <= args.false_abstention]
    model = replace(model, threshold=max(allowed, default=0.0), trained_on=(
        f"{len(tune)} questions of {', '.join(f'{q.parent.name}/{q.name}' for _, q, _ in args.tune)}; threshold for at most "
        f"{args.false_abstention:.0%} wrong abstentions there"))
    print("weights:", {k: round(v, 3) for k, v in model.weights.items()}, "bias", round(model.bias, 3))
    print(f"threshold {model.threshold}: tune wrongly abstained {rates(model, tune, model.threshold)[0]:.3f}, "
          f"unanswerable abstained {rates(model, tune, model.threshold)[1]:.3f} "
          f"({sum(a for _, a in tune)} answerable, {sum(not a for _, a in tune)} unanswerable)")
    for corpus, questions, index in args.measure:
        rows = question_signs(corpus, questions, index)
        print(f"\n{questions} ({sum(a for _, a in rows)} answerable, {sum(not a for _, a in rows)} unanswerable): "
              "threshold, answerable wrongly abstained, unanswerable abstained")
        for t in grid[::3] + [model.threshold]:
            wrong, right = rates(model, rows, t)
            mark = "  <- chosen" if t == model.threshold else ""
            print(f"  {t:.2f}  {wrong:.3f}  {right:.3f}{mark}")
    if args.write:
        SHIPPED_FILE.write_text(model.to_json(), encoding="utf-8")
        print(f"written: {SHIPPED_FILE}")


if __name__ == "__main__":
    main()
