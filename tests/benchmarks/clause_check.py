"""Where the answers' missing-clause check fires (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.clause_check [--corpus ../shared/eval/corpus] [--questions ../shared/eval/dev.jsonl]
        [--index DIR]

The checklists' signals decide both a review's "found" and, in answers, whether a contract has a
clause at all (assistant/clauses/presence.py). After changing signals, run this to see that the
check still fires on the questions about a clause the contract lacks and on no answerable one.
Every question goes through the real Answerer (real MiniLM, Chroma and SQLite) with a generator
that writes nothing, so no model runs: the check happens before the model would.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from assistant.evaluation.common import load_jsonl
from assistant.generation.answering import Answerer
from assistant.types import Answer
from assistant.clauses.checklist import all_checklists
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"


class SilentGenerator:
    def stream(self, *args, **kwargs):
        return iter(())


def absent_clauses(answerer: Answerer, question: str) -> tuple[str, ...]:
    answer = next(e for e in answerer.ask(question) if isinstance(e, Answer))
    return answer.evidence.absent_clauses if answer.evidence is not None else ()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--questions", type=Path, default=EVAL / "dev.jsonl")
    parser.add_argument("--index", type=Path, help="keep the corpus index in DIR and reuse it "
                        "(the index `clausewise eval ... --reuse-index DIR` keeps)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clausewise-clause-check-") as tmp:
        assistant = Assistant(args.index or Path(tmp) / "index")
        assistant.ingest(sorted(args.corpus.iterdir()))  # unchanged files are skipped
        answerer = Answerer(assistant.retriever(), SilentGenerator(), assistant.answer_settings, all_checklists())
        questions = load_jsonl(args.questions)
        answerable = [q for q in questions if q["answers"]]
        absent = [q for q in questions if q.get("unanswerable_reason") == "clause_absent"]
        wrong = [(q, absent_clauses(answerer, q["question"])) for q in answerable]
        wrong = [(q, items) for q, items in wrong if items]
        fired = sum(bool(absent_clauses(answerer, q["question"])) for q in absent)
        assistant.close()
    print(f"fires on answerable questions:      {len(wrong)} of {len(answerable)}")
    for q, items in wrong:
        print(f"  {q['id']}: {', '.join(items)}: {q['question']}")
    print(f"fires on clause-absent questions:   {fired} of {len(absent)}")


if __name__ == "__main__":
    main()
