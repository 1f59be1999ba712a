"""Regenerate the README's screenshots from the real app (real MiniLM, the default GGUF model).

    make screenshots        # runs: xvfb-run -a .venv/bin/python packaging/screenshots.py

Under Xvfb (needs the Debian packages xvfb libxcb-icccm4 libxcb-keysyms1) the window is a real X11
window. The script indexes the bundled sample documents and a few contracts from the evaluation
corpus when it is beside the checkout, asks a question, opens the first citation in the source
viewer, and saves PNGs of the window and of the settings dialog under docs/screenshots/.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
QUESTION = "Which law governs the Northwind supply agreement, and how long is its initial term?"
CONTRACTS = ROOT.parent / "shared" / "eval" / "corpus"
EXTRA = ["NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT.pdf", "Basecamp_37signals_Data_Processing_Addendum_current.pdf"]


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from assistant.runtime import app_runtime
    from assistant.settings import Settings
    from assistant.types import Answer, Failure, SearchFilters
    from ui.app import follow_system_palette
    from ui.main_window import MainWindow
    from ui.widgets.settings_dialog import SettingsDialog

    app = QApplication.instance() or QApplication([])
    follow_system_palette(app)
    OUT.mkdir(parents=True, exist_ok=True)

    def pause(seconds: float):
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def wait_for(signal, timeout_s: float):
        loop = QEventLoop()
        signal.connect(lambda *_: loop.quit())
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()

    with tempfile.TemporaryDirectory(prefix="clausewise-shots-") as home:
        os.environ["CLAUSEWISE_HOME"] = home
        window = MainWindow(app_runtime(Settings()), settings_file=Path(home) / "settings.toml",
                            ui_state_file=Path(home) / "ui.ini")
        window.resize(1500, 880)
        window.show()
        documents = [ROOT / "assistant" / "samples"] + [CONTRACTS / name for name in EXTRA if (CONTRACTS / name).exists()]
        window.ingest_paths(documents)
        wait_for(window.ingest_finished, 600)
        wait_for(window.documents_loaded, 10)
        # The shot shows the app once indexing has settled: the background upgrade to full-quality
        # vectors done, as a user sees it after the status line clears.
        deadline = time.monotonic() + 300
        pause(1.0)
        while window.upgrading.running_for(window.assistant()) and time.monotonic() < deadline:
            pause(0.5)
        window.chat.question.setText(QUESTION)
        window.chat.ask_button.click()
        answered = []
        window.answering.event.connect(lambda e: answered.append(e) if isinstance(e, (Answer, Failure)) else None)
        while not answered:
            wait_for(window.answering.event, 300)
        answer = answered[0]
        if isinstance(answer, Answer) and answer.citations:
            window.show_citation(answer.citations[0])
        app.processEvents()
        window.grab().save(str(OUT / "main-window.png"))
        print(f"saved {OUT / 'main-window.png'}: {getattr(answer, 'text', answer)!r}")

        pdf = next((r for r in window.documents.rows() if r.doc_type == "pdf"), None)
        if pdf is not None:
            hits = window.assistant().search("governing law of this agreement", k=1,
                                             filters=SearchFilters(documents=(pdf.source_id,)))
            if hits:
                window.show_hit(hits[0])
                app.processEvents()
                window.viewer.grab().save(str(OUT / "source-viewer-pdf.png"))
                print(f"saved {OUT / 'source-viewer-pdf.png'}")

        dialog = SettingsDialog(window.settings, window)
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(OUT / "settings.png"))
        dialog.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
