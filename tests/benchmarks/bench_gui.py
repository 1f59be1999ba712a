"""GUI responsiveness benchmark (a script, not a test): prints figures, asserts nothing.

    python -m tests.benchmarks.bench_gui [--corpus ../shared/bench/contracts-100] [--runs 3] [--launches 5]

Launch: starts `python -m ui.app` in a fresh process, `--launches` times, and reports the time
from spawning the process until the event loop has shown the window (the app prints that moment).

Responsiveness: in a fresh process per run, opens the real main window offscreen with the real
MiniLM embedder and a fresh data folder, starts a 10 ms timer, drops the corpus folder onto the
library's viewport as a file manager would, and records the gaps between timer ticks until the
batch is done, then for `--upgrade-seconds` more while the background upgrade to MiniLM's
vectors runs (the batch is ingested with the fast embedder in the window's process; the upgrade
embeds in MiniLM's child process). A gap longer than the timer's period is time the GUI thread
could not run. The target: the largest gap under 100 ms, in both phases.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "contracts-100"


def gap_figures(ticks: list[float], prefix: str = "") -> dict:
    gaps = sorted((b - a) * 1000 for a, b in zip(ticks, ticks[1:]))
    if not gaps:
        return {}
    return {f"{prefix}ticks": len(gaps), f"{prefix}max_gap_ms": round(gaps[-1], 1),
            f"{prefix}p99_gap_ms": round(gaps[int(len(gaps) * 0.99)], 1),
            f"{prefix}median_gap_ms": round(statistics.median(gaps), 1),
            f"{prefix}gaps_over_100ms": sum(g > 100 for g in gaps), f"{prefix}gaps_over_50ms": sum(g > 50 for g in gaps)}


def one_run(corpus: Path, upgrade_seconds: float = 60.0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from assistant.runtime import app_runtime
    from assistant.settings import Settings
    from assistant.types import IngestStatus
    from ui.app import favour_the_gui_thread
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="clausewise-gui-bench-") as tmp:
        os.environ["CLAUSEWISE_HOME"] = tmp
        favour_the_gui_thread()  # as the app's start-up does
        window = MainWindow(app_runtime(Settings()), settings_file=Path(tmp) / "settings.toml",
                            ui_state_file=Path(tmp) / "ui.ini")
        window.show()
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        result: dict = {}

        def finished(reports):
            result["ended"] = time.perf_counter()
            result["wall"] = result["ended"] - result["began"]
            result["ok"] = sum(r.status == IngestStatus.OK for r in reports)
            result["failed"] = sum(r.status == IngestStatus.FAILED for r in reports)
            # The upgrade starts once the library has reloaded: measure while it runs, then stop.
            QTimer.singleShot(int(max(upgrade_seconds, 0.2) * 1000), app.quit)

        def start():
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(corpus))])
            viewport = window.library.table.viewport()
            QApplication.sendEvent(viewport, QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                                                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
            result["began"] = time.perf_counter()
            QApplication.sendEvent(viewport, QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                                                        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

        window.ingest_finished.connect(finished)
        timer.start()
        QTimer.singleShot(500, start)
        app.exec()
        timer.stop()
        window.close()
    during = [t for t in ticks if result["began"] <= t <= result["ended"]]
    after = [t for t in ticks if t >= result["ended"]]
    return {"files_indexed": result["ok"], "files_failed": result["failed"], "wall_s": round(result["wall"], 1),
            **gap_figures(during), **(gap_figures(after, "upgrade_") if upgrade_seconds > 0 else {})}


def launch_seconds() -> float:
    """Spawn the app and read the moment it reports the window shown."""
    with tempfile.TemporaryDirectory(prefix="clausewise-launch-") as tmp:
        env = dict(os.environ, CLAUSEWISE_HOME=tmp, CLAUSEWISE_REPORT_STARTUP="1", CLAUSEWISE_QUIT_AFTER="0.5")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        began = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "ui.app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for line in child.stdout:
            if line.startswith("window usable"):
                seconds = time.perf_counter() - began
                break
        else:
            raise RuntimeError("the app exited without showing its window")
        child.wait(timeout=60)
        return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--upgrade-seconds", type=float, default=60.0,
                        help="how long to keep measuring while the background upgrade runs (0: not at all)")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        print(json.dumps(one_run(args.corpus, args.upgrade_seconds)), flush=True)
        return 0

    launches = [launch_seconds() for _ in range(args.launches)]
    if launches:
            print(f"launch to usable window: median {statistics.median(launches):.2f} s "
              f"(runs: {', '.join(f'{s:.2f}' for s in launches)})", flush=True)
    runs = []
    for n in range(args.runs):
        out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_gui", "--one-run", "--corpus", str(args.corpus),
                              "--upgrade-seconds", str(args.upgrade_seconds)],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"run {n + 1}: {json.dumps(run)}", flush=True)
    for key in ("max_gap_ms", "p99_gap_ms", "median_gap_ms", "gaps_over_100ms", "wall_s",
                "upgrade_max_gap_ms", "upgrade_p99_gap_ms", "upgrade_gaps_over_100ms"):
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        print(f"{key}: median {statistics.median(values)} (runs: {', '.join(str(v) for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
