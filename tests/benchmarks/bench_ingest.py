"""Ingestion and search benchmark (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_ingest [--corpus ../shared/bench/contracts-100] [--runs 3]

Each run is a fresh process and a fresh index, so peak RSS is per run. Per run: pages, chunks,
embedding windows, wall seconds, pages/s, chunks/s, peak RSS, seconds inside the embedder, the
pipeline's own overhead (wall minus embedder) as a share of the embedder's time, the seconds for
a second ingest of the unchanged folder, and the median latency of a warm `search`. The summary
gives medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "contracts-100"
QUERIES = [
    "What is the governing law of the agreement?",
    "Can the agreement be assigned without consent?",
    "How long is the initial term and how does it renew?",
    "How much notice is required to terminate for convenience?",
    "Is liability capped, and at what amount?",
    "What insurance must the distributor maintain?",
    "Are there minimum purchase commitments?",
    "Who owns intellectual property developed under the agreement?",
    "What are the confidentiality obligations after termination?",
    "Does the supplier give a warranty, and for how long?",
    "exclusive territory",
    "audit rights records inspection",
    "change of control",
    "liquidated damages",
    "non-compete",
]


def one_run(corpus: Path) -> dict:
    from assistant.service import Assistant
    from assistant.types import IngestStatus

    with tempfile.TemporaryDirectory(prefix="clausewise-bench-") as tmp:
        assistant = Assistant(Path(tmp) / "index")
        began = time.perf_counter()
        reports = assistant.ingest([corpus])
        wall = time.perf_counter() - began
        timings = assistant.last_ingest_timings
        ok = [r for r in reports if r.status == IngestStatus.OK]
        counts = assistant.index.consistency()

        began = time.perf_counter()
        again = assistant.ingest([corpus])
        second = time.perf_counter() - began
        assert all(r.status != IngestStatus.OK for r in again)

        for q in QUERIES:  # warm: model, caches, Chroma segments
            assistant.search(q, k=10)
        latencies = []
        for _ in range(3):
            for q in QUERIES:
                t = time.perf_counter()
                assistant.search(q, k=10)
                latencies.append(time.perf_counter() - t)
        embed = assistant.embedder.seconds
        return {
            "files": len(reports),
            "failed": [f"{Path(r.path).name}: {r.reason}" for r in reports if r.status == IngestStatus.FAILED],
            "pages": sum(r.pages for r in ok),
            "chunks": counts["chunks"],
            "windows": counts["windows"],
            "wall_s": wall,
            "pages_per_s": sum(r.pages for r in ok) / wall,
            "chunks_per_s": counts["chunks"] / wall,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "embed_call_s": timings.embed,
            "embedder_inside_s": embed,
            "parse_wait_s": timings.parse,
            "chunk_s": timings.chunk,
            "store_s": timings.store,
            # Overhead: everything outside the model's own encode calls (its load time included).
            "overhead_s": wall - embed,
            "overhead_pct_of_embed": 100 * (wall - embed) / embed,
            "second_ingest_s": second,
            "search_median_ms": 1000 * statistics.median(latencies),
            "search_p90_ms": 1000 * sorted(latencies)[int(0.9 * len(latencies))],
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.corpus)))
        return 0
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    runs = []
    for i in range(args.runs):
        out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_ingest", "--one", "--corpus", str(args.corpus)],
                             cwd=ROOT, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"run {i + 1}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                                            for k, v in run.items() if k != "failed"), flush=True)
    print(f"\nmedians over {len(runs)} runs on {args.corpus.name} ({runs[0]['files']} files, cpu count {os.cpu_count()}):")
    for key in runs[0]:
        if isinstance(runs[0][key], (int, float)):
            print(f"  {key:24s} {statistics.median(r[key] for r in runs):10.2f}")
    if runs[0]["failed"]:
        print("  failed files: " + "; ".join(runs[0]["failed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
