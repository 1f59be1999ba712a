"""OCR benchmark (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_ocr [--scanned ../shared/eval/scanned] [--long 300] [--no-retrieval]
                                         [--rapidocr N]

- Per scanned file and overall: seconds per page (the median time between pages finishing, with
  OCR_THREADS pages read at once, through the parser's real code path and nothing cached; and
  the mean, the file's wall time over its pages) and the character error rate against the text
  layer of the original PDF (`../shared/eval/corpus/`), both normalised: NFKC, soft hyphens
  dropped, words hyphenated at line ends joined, whitespace collapsed. The German scan's source
  PDF is not in shared/; its CER is measured against the Official Journal text of the same
  articles (`../shared/eval/multilingual/corpus/DSGVO_..._DE.txt`), located by the scan's first and
  last sentences: approximate, since the scanned source is the consolidated text (corrigenda).
- `--long N`: peak RSS of parsing an N-page scan in a fresh process, against a 30-page one: memory
  must not grow with the pages.
- Retrieval on the scanned set: `clausewise eval retrieval` (a fresh index, OCR included).
- `--rapidocr N`: RapidOCR 3.x on the first N pages of each file, for the comparison (needs the
  `rapidocr` package in the running environment; it is not a dependency).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCANNED = ROOT.parent / "shared" / "eval" / "scanned"
# The German scan's running header, which OCR may split over lines: "02016R0679 — DE — 04.05.2016 — 000.003 — 24".
RUNNING_HEADER = r"02016R0679\s*—?\s*DE\s*—?[^\n]*|04\.05\.2016|000\.003\s*—?\s*\d*"
GERMAN_REFERENCE = ROOT.parent / "shared" / "eval" / "multilingual" / "corpus" / "DSGVO_EU-2016-679_ABl-L119_DE.txt"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, a row at a time in numpy (the insertions' chain as a running minimum)."""
    if not a or not b:
        return len(a) or len(b)
    target = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(b) + 1, dtype=np.int32)
    row = steps.copy()
    for i, ch in enumerate(a, 1):
        cost = (target != ord(ch)).astype(np.int32)
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(best - steps) + steps
    return int(row[-1])


def original_of(scan: Path, corpus: Path) -> Path | None:
    candidate = corpus / scan.name.replace(" (scanned)", "")
    return candidate if candidate.exists() else None


def reference_pages(original: Path) -> list[str]:
    from pypdf import PdfReader

    return [normalise(page.extract_text() or "") for page in PdfReader(str(original)).pages]


def german_reference(ocr_text: str) -> str | None:
    """The stretch of the OJ text that the scan's body covers, found by its first and last
    sentences (the running header "02016R0679 — DE — ..." left out)."""
    if not GERMAN_REFERENCE.exists():
        return None
    reference = normalise(GERMAN_REFERENCE.read_text(encoding="utf-8"))
    body = re.sub(RUNNING_HEADER, " ", ocr_text)
    body = normalise(body)
    words = body.split()

    def locate(snippets, after=0):
        for snippet in snippets:  # twelve words: long enough to occur once
            at = reference.find(snippet, after)
            if at >= 0:
                return at, snippet
        return -1, ""

    starts = [" ".join(words[i:i + 12]) for i in range(0, 60, 3)]
    ends = [" ".join(words[-i - 12:len(words) - i]) for i in range(0, 60, 3)]
    start, first = locate(starts)
    end, last = locate(ends, max(start, 0))
    if start < 0 or end <= start:
        return None
    # From the first sentence found to the end of the last one found (offsets approximate).
    start -= body.find(first)
    end += len(last) + (len(body) - body.rfind(last) - len(last))
    return reference[max(start, 0):end]


def ocr_file(scan: Path) -> tuple[list, list[float], float, float]:
    """(OCR'd pages, the times between pages finishing, wall seconds, CPU seconds of all threads),
    nothing cached. CPU seconds tell the engine's cost apart from a busy machine's waiting."""
    from assistant.ingest.parsers import read_pdf

    data = scan.read_bytes()
    stamps: list[float] = []

    def on_page(*values):
        if len(values) > 2:
            stamps.append(time.perf_counter())

    began, cpu = time.perf_counter(), time.process_time()
    _, pages = read_pdf(data, on_page)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    intervals = [b - a for a, b in zip([began] + stamps, stamps)]
    return pages, intervals, wall, cpu


def measure(scanned: Path) -> None:
    corpus = scanned.parent / "corpus"
    scans = sorted((scanned / "corpus").glob("*.pdf"))
    all_intervals, errors, chars, all_cpu, all_wall = [], 0, 0, 0.0, 0.0
    print(f"{'file':58} {'pages':>5} {'s/page med':>10} {'s/page mean':>11} {'CPU s/page':>10} {'conf':>5} {'low':>4} "
          f"{'CER':>7}")
    for scan in scans:
        pages, intervals, wall, cpu = ocr_file(scan)
        all_cpu += cpu
        all_wall += wall
        all_intervals += intervals
        original = original_of(scan, corpus)
        cer_text = "n/a"
        if original is not None:
            truth = reference_pages(original)
            file_errors = sum(edit_distance(normalise(p.text), truth[p.number - 1]) for p in pages)
            file_chars = sum(len(truth[p.number - 1]) for p in pages)
            errors, chars = errors + file_errors, chars + file_chars
            cer_text = f"{file_errors / max(file_chars, 1):.4f}"
        else:
            text = "\n".join(p.text for p in pages)
            truth = german_reference(text) if "DSGVO" in scan.name else None
            if truth:
                body = normalise(re.sub(RUNNING_HEADER, " ", text))
                cer_text = f"~{edit_distance(body, truth) / max(len(truth), 1):.4f}"
        mean_conf = statistics.mean(p.confidence for p in pages) if pages else 0.0
        print(f"{scan.name[:58]:58} {len(pages):>5} {statistics.median(intervals):>10.2f} {wall / max(len(pages), 1):>11.2f} "
              f"{cpu / max(len(pages), 1):>10.2f} {mean_conf:>5.1f} {sum(p.low for p in pages):>4} {cer_text:>7}", flush=True)
    # Two pages are read at once, so they tend to finish in pairs: the median interval swings
    # between runs; the mean (wall time over pages) is the steadier figure.
    print(f"overall: {len(all_intervals)} pages, median {statistics.median(all_intervals):.2f} s/page, "
          f"mean {all_wall / max(len(all_intervals), 1):.2f} s/page "
          f"({all_cpu / max(len(all_intervals), 1):.2f} CPU-s/page over all threads), "
          f"CER {errors / max(chars, 1):.4f} on the {chars} characters of the English originals "
          f"(OCR_THREADS={__import__('assistant.ingest.ocr', fromlist=['x']).OCR_THREADS}, "
          f"load average {os.getloadavg()[0]:.1f})", flush=True)


def long_scan(pages: int, folder: Path) -> Path:
    """An N-page A4 scan at 200 dpi, a few lines of contract text a page (each page its own JPEG)."""
    from PIL import Image, ImageDraw, ImageFont

    path = folder / f"scan-{pages}.pdf"
    font = ImageFont.load_default(size=28)

    def page(n: int):
        image = Image.new("L", (1654, 2339), 246)
        draw = ImageDraw.Draw(image)
        for line in range(6):
            draw.text((150, 200 + 60 * line), f"{n}.{line + 1} The supplier shall deliver lot {n} within {line + 2} days.",
                      fill=28, font=font)
        return image

    first = page(1)
    first.save(path, "PDF", resolution=200, save_all=True, append_images=(page(n) for n in range(2, pages + 1)))
    return path


def rss_child(path: str) -> None:
    from assistant.ingest.parsers import read_pdf

    began = time.perf_counter()
    _, read = read_pdf(Path(path).read_bytes())
    # VmHWM, this process's own peak: getrusage's ru_maxrss survives exec and would report the
    # parent's peak at fork (the parent drew the pages).
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(json.dumps({"pages": len(read), "seconds": time.perf_counter() - began, "peak_rss_mb": peak / 1024}))


def measure_rss(pages: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for n in (30, pages):
            path = long_scan(n, Path(folder))
            out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_ocr", "--rss-child", str(path)],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            print(f"{n}-page scan ({path.stat().st_size / 1e6:.1f} MB): {result['pages']} pages read by OCR in "
                  f"{result['seconds']:.0f} s, peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)


def measure_retrieval(scanned: Path) -> None:
    out = Path(tempfile.gettempdir()) / "scan_run.jsonl"
    command = [str(Path(sys.executable).parent / "clausewise"), "eval", "retrieval", "--corpus", str(scanned / "corpus"),
               "--questions", str(scanned / "dev_scanned.jsonl"), "--out", str(out)]
    print("$ " + " ".join(command), flush=True)
    with tempfile.TemporaryDirectory() as home:
        began = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CLAUSEWISE_HOME": home})
    print(result.stdout.strip() or result.stderr.strip())
    print(f"({time.perf_counter() - began:.0f} s, OCR of the four scans included)")


def measure_rapidocr(scanned: Path, pages: int) -> None:
    from pypdf import PdfReader
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.use_cls": False})
    corpus = scanned.parent / "corpus"
    times, errors, chars = [], 0, 0
    for scan in sorted((scanned / "corpus").glob("*.pdf")):
        original = original_of(scan, corpus)
        truth = reference_pages(original) if original else None
        for number, page in enumerate(PdfReader(str(scan)).pages[:pages], start=1):
            image = np.array(page.images[0].image.convert("RGB"))
            began = time.perf_counter()
            result = engine(image)
            times.append(time.perf_counter() - began)
            if truth:
                text = normalise("\n".join(result.txts or ()))
                errors += edit_distance(text, truth[number - 1])
                chars += len(truth[number - 1])
    print(f"RapidOCR: {len(times)} pages, median {statistics.median(times):.2f} s/page, CER {errors / max(chars, 1):.4f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned", type=Path, default=DEFAULT_SCANNED)
    parser.add_argument("--long", type=int, default=0, help="peak RSS of an N-page scan (e.g. 300)")
    parser.add_argument("--no-retrieval", action="store_true")
    parser.add_argument("--no-ocr", action="store_true", help="skip the per-file OCR figures")
    parser.add_argument("--rapidocr", type=int, default=0, help="RapidOCR on the first N pages of each file")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_child)
        return 0
    if not args.no_ocr:
        measure(args.scanned)
    if args.rapidocr:
        measure_rapidocr(args.scanned, args.rapidocr)
    if args.long:
        measure_rss(args.long)
    if not args.no_retrieval:
        measure_retrieval(args.scanned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
