"""What encryption costs (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_encryption [--corpus ../shared/eval/corpus] [--rounds 3]
                                                [--answers 6] [--review-docs 1]

Builds the same index twice, plain and encrypted, from the same vectors (MiniLM runs once; the
second ingest reuses its vectors, since the embedder is not what is measured). Then, each question on
plain and encrypted back to back, so load on this shared machine falls on both alike:
- search: every question of the set's first 40, warm, with the real MiniLM embedding the query;
- answers: the first N questions answered with the default model (time to the final Answer);
- review: the procurement checklist over the first document(s), the review cache emptied first.
Each figure is the median over rounds; the ratio is encrypted ÷ plain.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "corpus"
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"
PASSPHRASE = "benchmark passphrase"


class RememberingEmbedder:
    """MiniLM for the first index; the same vectors, instantly, for the second."""

    def __init__(self, inner):
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self._seen: dict[str, np.ndarray] = {}

    def embed_documents(self, texts):
        missing = [t for t in texts if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self.inner.embed_documents(missing)))
        return np.stack([self._seen[t] for t in texts]) if texts else self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def build(folder: Path, corpus: Path, embedder, encrypted: bool):
    from assistant.service import Assistant
    from assistant.store.encryption import create_keyring

    if encrypted:
        create_keyring(folder, PASSPHRASE)
    assistant = Assistant(folder, embedder=embedder)
    if encrypted:
        assistant.unlock(PASSPHRASE)
    began = time.perf_counter()
    assistant.ingest([corpus])
    return assistant, time.perf_counter() - began


def median_ms(samples):
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=int, default=6, help="questions answered with the model per round (0: skip)")
    parser.add_argument("--review-docs", type=int, default=1, help="documents reviewed per round (0: skip)")
    args = parser.parse_args()

    from assistant.clauses.checklist import find_checklist
    from assistant.embedding.minilm import MiniLMEmbedder
    from assistant.types import Answer

    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()][:40]
    embedder = RememberingEmbedder(MiniLMEmbedder())
    with tempfile.TemporaryDirectory(prefix="clausewise-bench-enc-") as tmp:
        plain, plain_ingest = build(Path(tmp) / "plain", args.corpus, embedder, False)
        encrypted, _ = build(Path(tmp) / "encrypted", args.corpus, embedder, True)
        # The encrypted ingest skipped MiniLM; only its store work is comparable, so time it again.
        print(f"corpus: {len(plain.documents())} documents, {plain.index.catalog.chunk_total()} passages "
              f"(plain ingest with MiniLM {plain_ingest:.0f} s)")
        modes = {"plain": plain, "encrypted": encrypted}
        for a in modes.values():  # warm: model, embedder, page caches
            a.search(questions[0])
        figures: dict[str, dict[str, list[float]]] = {m: {"search": [], "answer": [], "review": []} for m in modes}
        checklist = find_checklist("procurement-key-terms")
        for round_ in range(args.rounds):
            for q in questions:  # each question on both, back to back: load drifts on both alike
                for mode, a in modes.items():
                    began = time.perf_counter()
                    a.search(q)
                    figures[mode]["search"].append(time.perf_counter() - began)
            for q in questions[: args.answers]:
                for mode, a in modes.items():
                    began = time.perf_counter()
                    answers = [e for e in a.ask(q) if isinstance(e, Answer)]
                    figures[mode]["answer"].append(time.perf_counter() - began)
                    assert answers, "no answer"
            for mode, a in modes.items():
                docs = a.documents()[: args.review_docs]
                if docs:
                    for d in docs:
                        a.index.review_cache.forget(d.source_id)
                    began = time.perf_counter()
                    list(a.review(checklist, documents=[d.source_id for d in docs]))
                    figures[mode]["review"].append(time.perf_counter() - began)
            print(f"round {round_ + 1}: " + ", ".join(
                f"{mode} search {median_ms(f['search']):.1f} ms" for mode, f in figures.items()), flush=True)

        print(f"\n{'':10} {'plain':>12} {'encrypted':>12} {'ratio':>7}")
        for what, unit in (("search", "ms"), ("answer", "s"), ("review", "s")):
            p, e = figures["plain"][what], figures["encrypted"][what]
            if not p:
                continue
            scale = 1000 if unit == "ms" else 1
            mp, me = statistics.median(p) * scale, statistics.median(e) * scale
            print(f"{what:10} {mp:>10.2f}{unit:>2} {me:>10.2f}{unit:>2} {me / mp:>7.3f}   (median of {len(p)})")
        for a in modes.values():
            a.close()


if __name__ == "__main__":
    main()
