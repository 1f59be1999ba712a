"""The settings dialog: model, GPU layers, context, threads, passages, where indexes live. Values
are checked by the core's `validate`; each problem is shown beside its field, naming the bad value,
and nothing is saved until every field is valid."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from assistant.generation.models import CATALOGUE
from assistant.settings import DESCRIPTIONS, AppSettings, validate

OTHER_FILE = "__file__"


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Clausewise settings")
        self.setMinimumWidth(560)
        self.original = settings
        self.result_settings: AppSettings | None = None

        self.model_choice = QComboBox()
        for key, model in CATALOGUE.items():
            self.model_choice.addItem(model.label, key)
        self.model_choice.addItem("A GGUF file on this computer…", OTHER_FILE)
        self.model_file = QLineEdit()
        self.model_file.setPlaceholderText("/path/to/model.gguf")
        browse_model = QPushButton("Browse…")
        browse_model.clicked.connect(self._browse_model)
        self.server_url = QLineEdit(settings.server_url)
        self.server_url.setPlaceholderText("empty: answer with the local model")
        self.gpu_layers = _automatic_spin(settings.gpu_layers, 0, 999)
        self.context_tokens = QSpinBox()
        self.context_tokens.setRange(256, 131072)
        self.context_tokens.setSingleStep(1024)
        self.context_tokens.setValue(settings.context_tokens)
        self.threads = _automatic_spin(settings.threads, 1, 256)
        self.passages = QSpinBox()
        self.passages.setRange(0, 20)
        self.passages.setValue(settings.passages)
        self.index_home = QLineEdit(settings.index_home)
        self.index_home.setPlaceholderText("empty: the default data folder")
        browse_home = QPushButton("Browse…")
        browse_home.clicked.connect(self._browse_home)

        if settings.model in CATALOGUE:
            self.model_choice.setCurrentIndex(self.model_choice.findData(settings.model))
        else:
            self.model_choice.setCurrentIndex(self.model_choice.findData(OTHER_FILE))
            self.model_file.setText(settings.model)
        self.model_choice.currentIndexChanged.connect(self._model_choice_changed)
        self._model_choice_changed()

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        fields = {
            "model": ("Model", self.model_choice),
            "model_file": ("", _row(self.model_file, browse_model)),
            "server_url": ("Answer server", self.server_url),
            "gpu_layers": ("GPU layers", self.gpu_layers),
            "context_tokens": ("Context size (tokens)", self.context_tokens),
            "threads": ("CPU threads", self.threads),
            "passages": ("Passages per answer", self.passages),
            "index_home": ("Indexes folder", _row(self.index_home, browse_home)),
        }
        for name, (label, widget) in fields.items():
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            if name in DESCRIPTIONS:
                widget.setToolTip(DESCRIPTIONS[name])
                error = QLabel()
                error.setWordWrap(True)
                error.setStyleSheet("color: #c62828")
                error.hide()
                box.addWidget(error)
                self.errors[name] = error
            form.addRow(label, box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _model_choice_changed(self):
        self.model_file.setEnabled(self.model_choice.currentData() == OTHER_FILE)

    def _browse_model(self):
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model_choice.setCurrentIndex(self.model_choice.findData(OTHER_FILE))
            self.model_file.setText(path)

    def _browse_home(self):
        path = QFileDialog.getExistingDirectory(self, "Where indexes live")
        if path:
            self.index_home.setText(path)

    def current(self) -> AppSettings:
        choice = self.model_choice.currentData()
        model = self.model_file.text().strip() if choice == OTHER_FILE else choice
        return replace(self.original, model=model, server_url=self.server_url.text().strip(),
                       gpu_layers=_automatic_value(self.gpu_layers), context_tokens=self.context_tokens.value(),
                       threads=_automatic_value(self.threads), passages=self.passages.value(),
                       index_home=self.index_home.text().strip())

    def show_problems(self, problems: dict[str, str]):
        for name, label in self.errors.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)

    def accept(self):
        settings = self.current()
        problems = validate(settings)
        self.show_problems(problems)
        if problems:
            return
        self.result_settings = settings
        super().accept()


def _automatic_spin(value: int | None, minimum: int, maximum: int) -> QSpinBox:
    """A spin box whose lowest position reads "Automatic" (stored as None)."""
    spin = QSpinBox()
    spin.setRange(minimum - 1, maximum)
    spin.setSpecialValueText("Automatic")
    spin.setValue(minimum - 1 if value is None else value)
    return spin


def _automatic_value(spin: QSpinBox) -> int | None:
    return None if spin.value() == spin.minimum() else spin.value()


def _row(*widgets) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return holder
