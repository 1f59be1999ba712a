"""Ingestion and search benchmark (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_ingest [--corpus ../shared/bench/contracts-100] [--runs 3] [--no-upgrade]

Each run is a fresh process and fresh indexes, so peak RSS is per run. Per run:
- reading the PDFs' text with pypdf alone (the floor any indexer pays), in the same run;
- a cold `clausewise ingest` of the folder, as a user runs it (a new process: start-up and
  imports included), its ratio to the pypdf floor, and a second ingest of the unchanged folder;
- the same ingest in this process for where its time goes (parse wait, chunking, the fast
  embedder, storing), pages/s and passages/s, and warm `search` latency on the fast vectors;
- the background upgrade to MiniLM's vectors (unless --no-upgrade): its seconds and windows/s,
  and warm search latency once every document is upgraded.
The summary gives medians over the runs.
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


def pypdf_floor(corpus: Path) -> float:
    """Seconds to read every PDF's text with pypdf, nothing else."""
    from pypdf import PdfReader

    began = time.perf_counter()
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() == ".pdf":
            for page in PdfReader(path).pages:
                page.extract_text()
    return time.perf_counter() - began


def cli_ingest(index: Path, corpus: Path) -> float:
    began = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("clausewise")), "--index", str(index), "ingest", str(corpus)],
                   check=True, capture_output=True)
    return time.perf_counter() - began


def search_latencies(assistant) -> list[float]:
    for q in QUERIES:  # warm: models, caches, Chroma segments
        assistant.search(q, k=10)
    latencies = []
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            assistant.search(q, k=10)
            latencies.append(time.perf_counter() - t)
    return latencies


def one_run(corpus: Path, upgrade: bool) -> dict:
    from assistant.runtime import default_fast_embedder
    from assistant.service import Assistant
    from assistant.types import IngestStatus

    with tempfile.TemporaryDirectory(prefix="clausewise-bench-") as tmp:
        floor = pypdf_floor(corpus)
        cold = cli_ingest(Path(tmp) / "cli", corpus)
        second = cli_ingest(Path(tmp) / "cli", corpus)

        assistant = Assistant(Path(tmp) / "index", fast_embedder=default_fast_embedder())
        began = time.perf_counter()
        reports = assistant.ingest([corpus])
        wall = time.perf_counter() - began
        timings = assistant.last_ingest_timings
        ok = [r for r in reports if r.status == IngestStatus.OK]
        counts = assistant.index.consistency()
        fast_search = search_latencies(assistant)
        run = {
            "files": len(reports),
            "failed": [f"{Path(r.path).name}: {r.reason}" for r in reports if r.status == IngestStatus.FAILED],
            "pages": sum(r.pages for r in ok),
            "chunks": counts["chunks"],
            "windows": counts["fast_windows"],
            "pypdf_read_s": floor,
            "cli_cold_ingest_s": cold,
            "cli_ratio_to_pypdf": cold / floor,
            "cli_second_ingest_s": second,
            "ingest_in_process_s": wall,
            "pages_per_s": sum(r.pages for r in ok) / wall,
            "chunks_per_s": counts["chunks"] / wall,
            "parse_wait_s": timings.parse,
            "chunk_s": timings.chunk,
            "fast_embed_s": timings.embed,
            "store_s": timings.store,
            "search_fast_median_ms": 1000 * statistics.median(fast_search),
            "search_fast_p90_ms": 1000 * sorted(fast_search)[int(0.9 * len(fast_search))],
        }
        if upgrade:
            result = assistant.upgrade()
            full_search = search_latencies(assistant)
            run.update({
                "upgrade_s": result.seconds,
                "upgrade_windows_per_s": result.windows / result.seconds,
                "search_full_median_ms": 1000 * statistics.median(full_search),
                "search_full_p90_ms": 1000 * sorted(full_search)[int(0.9 * len(full_search))],
            })
        run["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assistant.close()
        return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-upgrade", action="store_true", help="leave out the upgrade to MiniLM's vectors")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.corpus, upgrade=not args.no_upgrade)))
        return 0
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    runs = []
    for i in range(args.runs):
        out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_ingest", "--one", "--corpus", str(args.corpus)]
                             + (["--no-upgrade"] if args.no_upgrade else []),
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
