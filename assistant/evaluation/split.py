"""Split a labelled contract set (such as ../shared/eval/cuad100) once, by contract, with a fixed
seed, into a part to tune on and a part to validate on.

Splitting by contract, not by question, is what makes the validation part mean something: a rule
tuned on one question of a contract would otherwise be scored on its sibling questions, whose
wording and layout it has already seen. The seed is fixed so that every session scores the same
contracts; nobody chooses rules while looking at the validation part.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from assistant.evaluation.common import load_jsonl

SEED = 20261204
VALIDATION_SHARE = 0.5
PARTS = ("tune", "validation")


def split_contracts(docs: list[str], seed: int = SEED, share: float = VALIDATION_SHARE) -> dict[str, list[str]]:
    """Contract file names by part. Sorted first, so the split does not depend on file order."""
    ordered = sorted(set(docs), key=str.casefold)
    shuffled = ordered[:]
    random.Random(seed).shuffle(shuffled)
    n_validation = round(len(shuffled) * share)
    validation = set(shuffled[:n_validation])
    return {
        "tune": [d for d in ordered if d not in validation],
        "validation": [d for d in ordered if d in validation],
    }


def write_split(eval_set: Path, corpus: Path, out: Path, seed: int = SEED) -> dict[str, int]:
    """Write out/<part>/{corpus/, questions.jsonl, clause_presence.jsonl} for both parts.

    corpus/ holds symbolic links to the contracts of that part, so an eval command can index it
    with --corpus as it would any folder. Returns the number of contracts per part."""
    contracts = [row["doc"] for row in load_jsonl(eval_set / "contracts.jsonl")]
    parts = split_contracts(contracts, seed)
    questions = load_jsonl(eval_set / "questions.jsonl")
    labels = load_jsonl(eval_set / "clause_presence.jsonl")
    for part, docs in parts.items():
        keep = set(docs)
        folder = out / part
        (folder / "corpus").mkdir(parents=True, exist_ok=True)
        for doc in docs:
            link = folder / "corpus" / doc
            if not link.exists():
                os.symlink((corpus / doc).resolve(), link)
        for name, rows in (("questions.jsonl", questions), ("clause_presence.jsonl", labels)):
            with open(folder / name, "w", encoding="utf-8") as f:
                for row in rows:
                    if row["doc"] in keep:
                        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {part: len(docs) for part, docs in parts.items()}
