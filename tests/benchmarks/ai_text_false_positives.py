"""How often real documents are taken for text addressed to AI systems (a script, not a test):
prints figures, asserts nothing.

    python -m tests.benchmarks.ai_text_false_positives [FOLDER ...]

The default folders are real third-party contracts, DPAs, policies and the GDPR in English, German
and French (../shared/bench/contracts-100 and the eval corpora), none of which speaks to an AI, so
every span flagged is a false positive: print them, and fix the rule that matched in general (never
for one sentence). Each file is parsed as the ingest pipeline parses it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.addressed_to_ai import page_spans
from assistant.errors import DocumentError
from assistant.ingest.discovery import discover
from assistant.ingest.parsers import parse_bytes, read_file_bytes
from assistant.text import normalise_space, sentence_spans

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FOLDERS = [SHARED / "bench" / "contracts-100", SHARED / "eval" / "corpus", SHARED / "eval" / "multilingual" / "corpus"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=FOLDERS)
    args = parser.parse_args()
    files = discover([f for f in args.folders if f.exists()])
    documents = sentences = flagged = 0
    seconds = 0.0
    for path in files:
        try:
            pages = parse_bytes(read_file_bytes(path), path).pages
        except DocumentError as exc:
            print(f"skipped {path.name}: {exc.message}")
            continue
        documents += 1
        sentences += sum(len(sentence_spans(p.text)) for p in pages)
        began = time.perf_counter()
        found = page_spans(pages)
        seconds += time.perf_counter() - began
        texts = {p.number: p.text for p in pages}
        for number, spans in found.items():
            for start, end in spans:
                flagged += 1
                print(f"{path.name}, p. {number}: {normalise_space(texts[number][start:end])[:300]!r}")
    print(f"{documents} documents, {sentences} sentences: {flagged} spans flagged as addressed to AI "
          f"({seconds:.2f} s of matching)")


if __name__ == "__main__":
    main()
