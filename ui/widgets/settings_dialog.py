"""The settings dialog: model, answer server, GPU layers, context, threads, passages, where indexes
live. Tooltips are the settings' own descriptions; values are checked by the core's `validate`;
each problem is shown beside its field, naming the bad value, and nothing is saved until every
field is valid. The tuning sections (retrieval, chunking) are kept as they are in the file."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from assistant.generation.models import CATALOGUE
from assistant.settings import Settings, descriptions, validate

OTHER_FILE = "__file__"


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Clausewise settings")
        self.setMinimumWidth(560)
        self.original = settings
        self.result_settings: Settings | None = None
        generation = settings.generation

        self.model_choice = QComboBox()
        for key, model in CATALOGUE.items():
            self.model_choice.addItem(model.label, key)
        self.model_choice.addItem("A GGUF file on this computer…", OTHER_FILE)
        self.model_file = QLineEdit()
        self.model_file.setPlaceholderText("/path/to/model.gguf")
        browse_model = QPushButton("Browse…")
        browse_model.clicked.connect(self._browse_model)
        self.server_url = QLineEdit(generation.server_url)
        self.server_url.setPlaceholderText("empty: answer with the local model")
        self.server_model = QLineEdit(generation.server_model)
        self.server_model.setPlaceholderText("empty: the server's default model")
        self.api_key = QLineEdit(generation.api_key)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("empty: the server needs none")
        self.gpu_layers = _automatic_spin(generation.gpu_layers, -1, 999)  # -1: all layers
        self.context_tokens = QSpinBox()
        self.context_tokens.setRange(256, 131072)
        self.context_tokens.setSingleStep(1024)
        self.context_tokens.setValue(generation.context_tokens)
        self.threads = _automatic_spin(generation.threads, 1, 256)
        self.passages = QSpinBox()
        self.passages.setRange(0, 20)
        self.passages.setValue(settings.answering.passages)
        self.index_home = QLineEdit(settings.index_home)
        self.index_home.setPlaceholderText("empty: the default data folder")
        browse_home = QPushButton("Browse…")
        browse_home.clicked.connect(self._browse_home)

        if generation.model in CATALOGUE:
            self.model_choice.setCurrentIndex(self.model_choice.findData(generation.model))
        else:
            self.model_choice.setCurrentIndex(self.model_choice.findData(OTHER_FILE))
            self.model_file.setText(generation.model)
        self.model_choice.currentIndexChanged.connect(self._model_choice_changed)
        self._model_choice_changed()

        self.errors: dict[str, QLabel] = {}  # by the short name of the setting the field edits
        form = QFormLayout()
        fields = {  # the field's setting (its dotted key in the tree): label, widget
            "generation.model": ("Model", self.model_choice),
            "model_file": ("", _row(self.model_file, browse_model)),
            "generation.server_url": ("Answer server", self.server_url),
            "generation.server_model": ("Server's model", self.server_model),
            "generation.api_key": ("Server's API key", self.api_key),
            "generation.gpu_layers": ("GPU layers", self.gpu_layers),
            "generation.context_tokens": ("Context size (tokens)", self.context_tokens),
            "generation.threads": ("CPU threads", self.threads),
            "answering.passages": ("Passages per answer", self.passages),
            "index_home": ("Indexes folder", _row(self.index_home, browse_home)),
        }
        described = descriptions()
        for key, (label, widget) in fields.items():
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            if key in described:
                name = key.rpartition(".")[2]
                widget.setToolTip(described[key])
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

    def current(self) -> Settings:
        choice = self.model_choice.currentData()
        model = self.model_file.text().strip() if choice == OTHER_FILE else choice
        generation = replace(self.original.generation, model=model, server_url=self.server_url.text().strip(),
                             server_model=self.server_model.text().strip(), api_key=self.api_key.text().strip(),
                             gpu_layers=_automatic_value(self.gpu_layers), context_tokens=self.context_tokens.value(),
                             threads=_automatic_value(self.threads))
        answering = replace(self.original.answering, passages=self.passages.value())
        return replace(self.original, generation=generation, answering=answering,
                       index_home=self.index_home.text().strip())

    def show_problems(self, problems: dict[str, str]):
        """`problems` by dotted key, as `validate` gives them."""
        short = {key.rpartition(".")[2]: message for key, message in problems.items()}
        for name, label in self.errors.items():
            label.setText(short.get(name, ""))
            label.setVisible(name in short)

    def accept(self):
        settings = self.current()
        problems = validate(settings, packaged_models=CATALOGUE)
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
