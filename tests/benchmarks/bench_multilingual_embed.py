"""Embedding speed of the two full embedders on the same windows of a German contract: MiniLM
(English documents) and e5 (German and French ones), windows a second for a document and
milliseconds for one question.

    .venv/bin/python -m tests.benchmarks.bench_multilingual_embed [--windows 96] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.ingest.chunking import chunk_pages  # noqa: E402
from assistant.ingest.parsers import parse_bytes  # noqa: E402
from assistant.ingest.pipeline import document_windows  # noqa: E402
from assistant.settings import ChunkerSettings  # noqa: E402
from assistant.types import Chunk  # noqa: E402

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval" / "multilingual" / "corpus"
DOCUMENT = SHARED / "DSGVO_EU-2016-679_ABl-L119_DE.txt"
QUESTION = "Innerhalb welcher Frist muss eine Verletzung des Schutzes personenbezogener Daten gemeldet werden?"


def windows(count: int) -> list[str]:
    parsed = parse_bytes(DOCUMENT.read_bytes(), DOCUMENT)
    settings = ChunkerSettings()
    spans = chunk_pages(parsed.pages, settings)
    chunks = [Chunk(f"c{n}", "s", DOCUMENT.name, "txt", s.page, s.start, s.end, s.text, s.heading, n)
              for n, s in enumerate(spans)]
    texts, _ = document_windows(parsed.title, chunks, settings.window_chars)
    middle = len(texts) // 3  # past the recitals' opening
    return texts[middle:middle + count]


def measure(embedder, texts: list[str], rounds: int) -> tuple[float, float]:
    embedder.embed_documents(texts[:2])  # load
    rates, queries = [], []
    for _ in range(rounds):
        began = time.perf_counter()
        embedder.embed_documents(texts)
        rates.append(len(texts) / (time.perf_counter() - began))
        began = time.perf_counter()
        for _ in range(5):
            embedder.embed_query(QUESTION)
        queries.append((time.perf_counter() - began) / 5 * 1000)
    return statistics.median(rates), statistics.median(queries)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    texts = windows(args.windows)
    from assistant.embedding.e5 import E5Embedder
    from assistant.embedding.minilm import MiniLMEmbedder

    print(f"{len(texts)} windows of {DOCUMENT.name}, mean {sum(map(len, texts)) / len(texts):.0f} characters; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for embedder in (MiniLMEmbedder(threads=2), E5Embedder(threads=2)):
        rate, query = measure(embedder, texts, args.rounds)
        print(f"{embedder.name}: {rate:.1f} windows/s, one question {query:.0f} ms (medians of {args.rounds})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
