"""main(): the QApplication, the user's settings, the runtime built from them, the main window,
and an orderly shutdown. Models load on first use, off the GUI thread, so the window is usable
within a second or two. The `clausewise-app` command; `clausewise` with no arguments comes here too
(ui/launch.py)."""

from __future__ import annotations

import os
import sys
import time

LAUNCHED = time.perf_counter()


def follow_system_palette(app) -> None:
    """Fusion draws well on every platform; when the system asks for dark and the platform theme
    did not supply a dark palette, build one so text stays readable."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    if app.styleHints().colorScheme() != Qt.ColorScheme.Dark:
        return
    palette = app.palette()
    if palette.color(QPalette.ColorRole.Window).lightness() < 128:
        return
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
                         (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"), (QPalette.ColorRole.Highlight, "#2f65ca"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.Link, "#7fb3ff"),
                         (QPalette.ColorRole.ToolTipBase, "#353535"), (QPalette.ColorRole.ToolTipText, "#e6e6e6")):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)


def favour_the_gui_thread() -> None:
    """Ingestion threads are busy in Python (PDF parsing) and in extensions that hold the GIL;
    a 1 ms switch interval (default 5 ms) lets the GUI thread back in sooner. Process-wide, so
    set once at start-up, not by a widget."""
    sys.setswitchinterval(0.001)


def main(argv: list[str] | None = None) -> int:
    """`argv`: arguments for Qt (an entry point passes none: the command line's are used)."""
    import multiprocessing

    multiprocessing.freeze_support()  # the embedder's child process in a frozen bundle
    argv = sys.argv[1:] if argv is None else argv
    favour_the_gui_thread()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from assistant.errors import ClausewiseError
    from assistant.runtime import app_runtime
    from assistant.settings import Settings, load_settings

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Clausewise")
    app.setOrganizationName("Clausewise")
    follow_system_palette(app)
    try:
        settings = load_settings()
        problem = ""
    except ClausewiseError as exc:  # a damaged settings file: start on defaults and say so
        settings, problem = Settings(), exc.message
    from ui.main_window import MainWindow

    window = MainWindow(app_runtime(settings))
    window.show()
    if problem:
        QMessageBox.warning(window, "Clausewise", f"{problem}\nStarting with the default settings.")
    if os.environ.get("CLAUSEWISE_REPORT_STARTUP"):
        # Printed once the event loop has drawn the window: the launch-to-usable time.
        QTimer.singleShot(0, lambda: print(f"window usable after {time.perf_counter() - LAUNCHED:.2f} s", flush=True))
    if os.environ.get("CLAUSEWISE_QUIT_AFTER"):
        QTimer.singleShot(int(float(os.environ["CLAUSEWISE_QUIT_AFTER"]) * 1000), window.close)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
