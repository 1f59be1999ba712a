"""The banner above the main panels for a model the user has to replace: missing, corrupt, or too
big for free memory. The check itself is plain core code, run off the GUI thread by the window."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from assistant.errors import ClausewiseError
from assistant.generation.models import CATALOGUE, check_fits, model_path
from assistant.settings import Settings


def model_problem(settings: Settings) -> str:
    """Empty when the chosen model is there, intact and fits in memory, else the reason.
    (The first check of a packaged model joins its parts: a few seconds.)"""
    generation = settings.generation
    if generation.server_url:
        return ""
    try:
        check_fits(model_path(generation.model), generation.context_tokens)
    except ClausewiseError as exc:
        return exc.message
    return ""


class ModelBanner(QFrame):
    open_settings = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame { background: #fff3cd; color: #5c4400; border-radius: 4px; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        button = QPushButton("Settings…")
        button.clicked.connect(self.open_settings)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(button)
        self.hide()

    def show_problem(self, problem: str):
        if problem:
            known = ", ".join(m.key for m in CATALOGUE.values())
            self.text.setText(f"<b>The model cannot be used.</b> {problem}<br>Pick another model or a GGUF "
                              f"file in Settings (packaged models: {known}).")
        self.setVisible(bool(problem))
