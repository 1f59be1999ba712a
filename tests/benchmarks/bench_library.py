"""Library view benchmark (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_library [--documents 10000] [--runs 3]

In a fresh process per run, opens the real main window offscreen (the hash embedder and a scripted
generator: this measures the view, not the models) and fills its library with `--documents`
synthetic rows: most indexed from the catalogue (`set_indexed`, as a refresh does), a few failed,
cancelled and queued from ingest reports. A 10 ms timer ticks on the GUI thread meanwhile, and the
gaps between its ticks are recorded while the script

- fills the model (and the time the fill itself takes);
- scrolls the table from top to bottom, a page per step, each step painted before the next;
- sorts by each column, ascending then descending, with a click on its header;
- types a filter one character at a time (a key every 100 ms), then clears it.

As in bench_gui, a gap longer than the timer's period is time the GUI thread could not run. The
target: the largest gap under 100 ms. Everything is driven through the event loop (timers and
real mouse and key events), never a processEvents() loop.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMER_MS = 10
FILTER_TEXT = "northwind"
SUPPLIERS = ("Northwind Components", "Harbour Tools", "Acme Logistics", "Bluefin Software", "Kestrel Foods",
             "Aurora Retail", "Contoso Cloud", "Fabrikam Freight", "Globex Chemicals", "Initech Services",
             "Umbrella Packaging", "Vandelay Imports", "Wayne Security", "Stark Energy", "Tyrell Robotics",
             "Cyberdyne Sensors", "Soylent Catering", "Hooli Data", "Pied Piper Storage", "Oceanic Airlines")
KINDS = ("Master Supply Agreement", "Data Processing Agreement", "Non-Disclosure Agreement", "Service Level Agreement",
         "Framework Agreement", "Statement of Work", "Amendment No. {n}", "Purchase Order Terms", "Licence Agreement",
         "Distribution Agreement")
SUFFIXES = (("pdf", 0.7), ("docx", 0.2), ("txt", 0.06), ("md", 0.04))
REASONS = ("it is encrypted with a password", "it has no text layer (a scan without OCR?)",
           "it could not be read: the file is damaged", "unsupported file type")


def synthetic_library(count: int, seed: int = 7):
    """About 96% indexed documents (Sources, as the catalogue lists them) and 4% this session's
    failed, cancelled and queued files (IngestReports and paths), under realistic folders."""
    from assistant.types import IngestReport, IngestStatus, Source

    rng = random.Random(seed)
    sources, reports, queued = [], [], []
    suffixes, weights = zip(*SUFFIXES)
    for i in range(count):
        supplier = rng.choice(SUPPLIERS)
        year = rng.randint(2014, 2026)
        kind = rng.choice(KINDS).format(n=rng.randint(1, 9))
        suffix = rng.choices(suffixes, weights)[0]
        name = f"{supplier} - {kind} {year}-{i:05d}.{suffix}"
        path = f"/home/officer/Contracts/Suppliers/{supplier}/{year}/{name}"
        pages = rng.randint(1, 120) if suffix == "pdf" else 0
        roll = rng.random()
        if roll < 0.96:
            chunks = max(1, pages * rng.randint(2, 6)) if pages else rng.randint(3, 200)
            sources.append(Source(f"{i:064x}", path, name, suffix, kind, pages, chunks, rng.randint(10_000, 9_000_000)))
        elif roll < 0.98:
            reports.append(IngestReport(path, IngestStatus.FAILED, reason=rng.choice(REASONS)))
        elif roll < 0.99:
            reports.append(IngestReport(path, IngestStatus.CANCELLED, reason="cancelled before it was indexed"))
        else:
            queued.append(path)
    flagged = {s.source_id: rng.randint(1, 3) for s in rng.sample(sources, k=min(len(sources), count // 200))}
    return sources, flagged, reports, queued


def gap_figures(ticks: list[float], began: float, ended: float) -> dict:
    """The gaps between ticks from the last one before `began` (a phase that stalls at once
    stalls the gap that spans its start) to the last one before `ended`."""
    first = max(0, bisect.bisect_right(ticks, began) - 1)
    during = ticks[first:bisect.bisect_right(ticks, ended)]
    gaps = sorted((b - a) * 1000 for a, b in zip(during, during[1:]))
    if not gaps:
        return {"ticks": 0}
    return {"max_gap_ms": round(gaps[-1], 1), "p99_gap_ms": round(gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))], 1),
            "median_gap_ms": round(statistics.median(gaps), 1), "gaps_over_50ms": sum(g > 50 for g in gaps),
            "ticks": len(gaps)}


def one_run(documents: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPoint, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from assistant.runtime import app_runtime
    from assistant.settings import Settings
    from assistant.testing import HashEmbedder, ScriptedGenerator
    from ui.app import favour_the_gui_thread, follow_system_palette
    from ui.main_window import MainWindow
    from ui.models import QUEUED

    sources, flagged, reports, queued = synthetic_library(documents)
    app = QApplication.instance() or QApplication([])
    follow_system_palette(app)  # Fusion, as the app draws
    with tempfile.TemporaryDirectory(prefix="clausewise-library-bench-") as tmp:
        os.environ["CLAUSEWISE_HOME"] = tmp
        favour_the_gui_thread()  # as the app's start-up does
        runtime = app_runtime(Settings(), embedder=HashEmbedder(), generator=ScriptedGenerator())
        window = MainWindow(runtime, settings_file=Path(tmp) / "settings.toml", ui_state_file=Path(tmp) / "ui.ini",
                            check_model=False)
        window.show()
        library, model = window.library, window.documents
        table, header = library.table, library.table.horizontalHeader()
        bar = table.verticalScrollBar()
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(TIMER_MS)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        phases: dict[str, tuple[float, float]] = {}
        result: dict = {}

        def click_header(column: int) -> float:
            x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
            began = time.perf_counter()
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             QPoint(x, header.height() // 2))
            return (time.perf_counter() - began) * 1000

        def script():
            """Each `yield` hands the event loop back for that many milliseconds."""
            yield 300
            began = time.perf_counter()
            model.set_indexed(sources, flagged)  # a refresh: the catalogue's documents in one reset
            result["fill_ms"] = round((time.perf_counter() - began) * 1000, 1)
            yield 0
            # This session's files arrive one by one, as the ingest's progress signals do.
            calls = []
            arrivals = [partial(model.apply_report, r) for r in reports] + [partial(model.mark, p, QUEUED) for p in queued]
            for arrive in arrivals:
                called = time.perf_counter()
                arrive()
                calls.append((time.perf_counter() - called) * 1000)
                yield 0
            result.update(session_rows=len(calls), session_row_max_ms=round(max(calls), 2), rows=model.rowCount())
            yield 300
            phases["fill"] = (began, time.perf_counter())

            table.scrollToTop()
            yield 200
            began, steps = time.perf_counter(), 0
            while bar.value() < bar.maximum():
                bar.setValue(bar.value() + bar.pageStep())
                steps += 1
                yield 1  # a timer, not 0: the paint that the step posted runs first (with 0, Qt paints every other step)
            result.update(scroll_steps=steps, scroll_s=round(time.perf_counter() - began, 2))
            yield 200
            phases["scroll"] = (began, time.perf_counter())

            began, clicks = time.perf_counter(), []
            for column in range(header.count()):
                for _order in ("ascending", "descending"):
                    clicks.append(click_header(column))
                    yield 250
            result.update(sort_click_max_ms=round(max(clicks), 1), sort_click_median_ms=round(statistics.median(clicks), 1))
            phases["sort"] = (began, time.perf_counter())

            library.filter.setFocus()
            yield 100
            began, keys = time.perf_counter(), []
            for character in FILTER_TEXT:
                pressed = time.perf_counter()
                QTest.keyClick(library.filter, character)
                keys.append((time.perf_counter() - pressed) * 1000)
                yield 100  # a fast typist
            result["filter_rows_shown"] = library.proxy.rowCount()
            pressed = time.perf_counter()
            library.filter.clear()  # as its clear button does: every row back
            keys.append((time.perf_counter() - pressed) * 1000)
            yield 300
            result.update(filter_key_max_ms=round(max(keys), 1), rows_after_clear=library.proxy.rowCount())
            phases["filter"] = (began, time.perf_counter())

        steps = script()

        def drive():
            try:
                QTimer.singleShot(next(steps), drive)
            except StopIteration:
                app.quit()

        def start():
            window.documents_loaded.disconnect(start)
            timer.start()
            drive()

        window.documents_loaded.connect(start)  # after the (empty) collection's own first load
        app.exec()
        timer.stop()
        window.close()
    for phase, (began, ended) in phases.items():
        for key, value in gap_figures(ticks, began, ended).items():
            result[f"{phase}_{key}"] = value
    return result


SUMMARY = ("fill_ms", "fill_max_gap_ms", "session_row_max_ms", "scroll_max_gap_ms", "scroll_p99_gap_ms", "scroll_steps", "scroll_s",
           "sort_max_gap_ms", "sort_p99_gap_ms", "sort_click_max_ms", "filter_max_gap_ms", "filter_p99_gap_ms",
           "filter_key_max_ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        print(json.dumps(one_run(args.documents)), flush=True)
        return 0

    runs = []
    for n in range(args.runs):
        out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_library", "--one-run",
                              "--documents", str(args.documents)], cwd=ROOT, capture_output=True, text=True, check=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"run {n + 1}: {json.dumps(run)}", flush=True)
    print(f"{args.documents} documents, {len(runs)} runs, a {TIMER_MS} ms timer on the GUI thread:")
    for key in SUMMARY:
        values = [r[key] for r in runs if key in r]
        if values:
            print(f"{key}: median {statistics.median(values)} (runs: {', '.join(str(v) for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
