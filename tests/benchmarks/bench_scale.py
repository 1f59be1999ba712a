"""A department's scale (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_scale [--passages 100000] [--folder DIR] [--runs 3]

Builds (once; `--folder` keeps it for later runs) an index of about 100,000 passages from varied
copies of contracts-100: each copy is the contracts' text with every digit shifted by the copy's
number (same length, so the clause structure stays and no two copies are byte-equal) and indexed
through the real pipeline, Chroma and SQLite. The vectors come from a static word-vector embedder,
since this measures the store and search, not the embedder (a real embedder adds its own query
time, about 10 ms for MiniLM here).

Then, each run in a fresh process: the time to open the index, the first search, warm search
latency p50 and p95 (45 queries, 3 rounds), one collection-wide BM25 search alone (p50), adding
one new contract and removing it again (and the search after each, which first brings the
in-memory BM25 index up to date), the process's peak memory, and the size of the folder on disk. The summary gives medians over runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tests.benchmarks.bench_ingest import QUERIES

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "contracts-100"
MORE_QUERIES = [
    "termination for cause after material breach", "payment terms net thirty days", "force majeure events",
    "indemnification of third party claims", "notices in writing to the addresses", "severability of provisions",
    "entire agreement supersedes prior understandings", "warranty disclaimer merchantability",
    "limitation of consequential damages", "right to audit books and records", "non-solicitation of employees",
    "most favored customer pricing", "source code escrow release", "renewal term automatically extends",
    "delivery and acceptance of products", "trademark license to use marks", "insurance coverage amounts",
    "exclusivity within the territory", "minimum annual purchase quantity", "governing law and jurisdiction",
    "assignment upon change of control", "confidential information exceptions", "survival of obligations",
    "price adjustments and increases", "dispute resolution by arbitration", "records retention period",
    "compliance with applicable laws", "independent contractor relationship", "term of five years",
    "sublicense rights granted",
]


class StaticEmbedder:
    """A fixed random vector per word, summed and normalised: instant, deterministic, and texts
    that share words are close, as a static (model2vec-like) embedder would make them."""

    name = "bench/static-word-vectors"
    dimension = 384

    def __init__(self):
        self._words: dict[str, np.ndarray] = {}
        self.seconds = 0.0

    def _word(self, word: str) -> np.ndarray:
        vec = self._words.get(word)
        if vec is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec = self._words[word] = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return vec

    def _embed(self, text: str) -> np.ndarray:
        words = text.lower().split()
        vec = np.sum([self._word(w) for w in words], axis=0) if words else np.ones(self.dimension, np.float32)
        return vec / (np.linalg.norm(vec) or 1.0)

    def embed_documents(self, texts):
        return np.stack([self._embed(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def embed_query(self, text):
        return self._embed(text)


def contract_texts(corpus: Path) -> dict[str, str]:
    """Each contract's text, pages separated by blank lines (read once with pypdf)."""
    from pypdf import PdfReader

    texts = {}
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() == ".pdf":
            reader = PdfReader(path)
            texts[path.stem] = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    return texts


def shifted(text: str, copy: int) -> str:
    table = str.maketrans("0123456789", "".join(str((d + copy) % 10) for d in range(10)))
    return text.translate(table)


def write_copies(texts: dict[str, str], folder: Path, copies: range) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for copy in copies:
        for stem, text in texts.items():
            path = folder / f"copy{copy:02d}-{stem[:80]}.txt"
            path.write_text(f"{stem} (copy {copy})\n\n{shifted(text, copy)}\n", encoding="utf-8")
            written.append(path)
    return written


def build(folder: Path, corpus: Path, passages: int) -> None:
    from assistant.service import Assistant

    texts = contract_texts(corpus)
    assistant = Assistant(folder / "index", embedder=StaticEmbedder())
    copy = 0
    began = time.perf_counter()
    while assistant.index.catalog.chunk_total() < passages:
        files = write_copies(texts, folder / "files", range(copy, copy + 1))
        assistant.ingest(files)
        copy += 1
        print(f"  copy {copy}: {assistant.index.catalog.chunk_total()} passages, {time.perf_counter() - began:.0f} s",
              file=sys.stderr, flush=True)
    counts = assistant.index.consistency()
    assistant.close()
    (folder / "built.json").write_text(json.dumps({**counts, "copies": copy, "build_s": time.perf_counter() - began}))


def measure(folder: Path, corpus: Path) -> dict:
    from assistant.service import Assistant

    began = time.perf_counter()
    assistant = Assistant(folder / "index", embedder=StaticEmbedder())
    assistant.index
    open_s = time.perf_counter() - began
    queries = QUERIES + MORE_QUERIES
    began = time.perf_counter()
    assistant.search(queries[0])
    first_ms = (time.perf_counter() - began) * 1000
    for q in queries:  # warm
        assistant.search(q)
    latencies = []
    for _ in range(3):
        for q in queries:
            began = time.perf_counter()
            assistant.search(q)
            latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()
    lexical = []  # one collection-wide BM25 search, the part of a search that FTS5 made slow
    for q in queries:
        began = time.perf_counter()
        assistant.index.catalog.lexical_search(q, 30)
        lexical.append((time.perf_counter() - began) * 1000)

    with tempfile.TemporaryDirectory() as tmp:
        text = next(iter(contract_texts_one(corpus)))
        new = Path(tmp) / f"new-contract-{os.getpid()}.txt"
        new.write_text(shifted(text, 7) + f"\nReference {os.getpid()}\n", encoding="utf-8")
        began = time.perf_counter()
        [report] = assistant.ingest([new])
        add_s = time.perf_counter() - began
        began = time.perf_counter()
        assistant.search(queries[1])  # the in-memory BM25 index catches up with the change first
        after_add_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        assistant.remove(new.name)
        remove_s = time.perf_counter() - began
        began = time.perf_counter()
        assistant.search(queries[2])
        after_remove_ms = (time.perf_counter() - began) * 1000
    counts = assistant.index.consistency()
    assistant.close()
    size = sum(p.stat().st_size for p in (folder / "index").rglob("*") if p.is_file())
    return {
        "passages": counts["chunks"], "documents": counts["documents"], "vectors": counts["vectors"],
        "open_s": open_s, "first_search_ms": first_ms,
        "search_p50_ms": statistics.median(latencies), "search_p95_ms": latencies[int(0.95 * len(latencies))],
        "lexical_p50_ms": statistics.median(lexical),
        "add_one_s": add_s, "add_one_passages": report.chunks, "search_after_add_ms": after_add_ms,
        "remove_one_s": remove_s, "search_after_remove_ms": after_remove_ms,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "disk_mb": size / 2**20,
    }


def contract_texts_one(corpus: Path):
    """The text of the first contract only (adding one document needs no more)."""
    from pypdf import PdfReader

    path = next(p for p in sorted(corpus.iterdir()) if p.suffix.lower() == ".pdf")
    yield "\n\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, help="keep the built index here and reuse it (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.folder, args.corpus)))
        return 0
    with tempfile.TemporaryDirectory(prefix="clausewise-scale-") as tmp:
        folder = args.folder or Path(tmp)
        if not (folder / "built.json").exists():
            print(f"building an index of about {args.passages} passages in {folder} …", file=sys.stderr, flush=True)
            build(folder, args.corpus, args.passages)
        built = json.loads((folder / "built.json").read_text())
        print(f"index: {built['documents']} documents, {built['chunks']} passages, {built['vectors']} vectors "
              f"({built['copies']} copies of {args.corpus.name}; built in {built['build_s']:.0f} s)")
        runs = []
        for i in range(args.runs):
            out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_scale", "--measure", "--folder", str(folder),
                                  "--corpus", str(args.corpus)], cwd=ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"run {i + 1}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in runs[-1].items()),
                  flush=True)
        if not runs:  # --runs 0: build only
            return 0
        print(f"\nmedians over {len(runs)} runs (cpu count {os.cpu_count()}):")
        for key in runs[0]:
            print(f"  {key:20s} {statistics.median(r[key] for r in runs):10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
