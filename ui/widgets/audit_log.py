"""Collection → Audit log…: who did what to the collection, oldest first, under a line that says
whether the hash chain holds (and, when it does not, which entry breaks it, in red), with a button
that exports the entries as CSV. Reading, verifying and exporting run on the window's pool
(`load` and `export` are the window's; `run` is `Background.run`). One dialog serves every
collection: `show_log` points it at one, and a late result for another is dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

COLUMNS = ("Entry", "Time", "User", "Action", "Details")


class AuditLogDialog(QDialog):
    def __init__(self, run: Callable[..., None], parent=None):
        super().__init__(parent)
        self.run = run
        self.load: Callable[[], tuple[list, object]] = lambda: ([], None)
        self.export_to: Callable[[Path, list], None] = lambda path, entries: None
        self.entries: list = []
        self._generation = 0  # which reload a result belongs to
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the hash, to note down
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the entries as a spreadsheet; the export itself is logged")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.choose_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(980, 560)
        self.loaded = False

    def show_log(self, collection_name: str, load: Callable[[], tuple[list, object]],
                 export: Callable[[Path, list], None]):
        """`load()` -> (entries, Verdict); `export(path, entries)` writes them and records the export."""
        self.setWindowTitle(f"Audit log of “{collection_name}”")
        self.load, self.export_to = load, export
        self.table.setRowCount(0)
        self.status.clear()
        self.reload()
        self.show()
        self.raise_()

    def reload(self):
        self._generation += 1
        generation = self._generation
        self.loaded = False
        self.export_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("Reading and verifying the audit log…")
        self.run(self.load, lambda loaded: self.show_entries(loaded) if generation == self._generation else None,
                 lambda message: self.show_error(message) if generation == self._generation else None)

    def show_entries(self, loaded):
        entries, verdict = loaded
        self.entries = list(entries)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            for column, value in enumerate((str(entry.seq), entry.when, entry.user, entry.action, entry.summary())):
                item = QTableWidgetItem(value)
                if column == len(COLUMNS) - 1:
                    item.setToolTip(value)  # a long question or list of documents
                self.table.setItem(row, column, item)
        self.table.scrollToBottom()
        message = verdict.message[:1].upper() + verdict.message[1:]
        if verdict.intact:
            self.verdict.setStyleSheet("")
            self.verdict.setText(f"{message}.")
        else:
            self.verdict.setStyleSheet("color: #c62828; font-weight: bold;")
            self.verdict.setText(f"The log has been tampered with or damaged: {verdict.message}. "
                                 f"{verdict.entries} entries before it hold.")
        self.export_button.setEnabled(bool(self.entries))
        self.loaded = True

    def show_error(self, message: str):
        self.verdict.setStyleSheet("color: #c62828;")
        self.verdict.setText(f"The audit log could not be read: {message}")
        self.loaded = True

    def choose_export(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit log", "audit-log.csv", "CSV (*.csv)")
        if path:
            self.export(Path(path))

    def export(self, path: Path):
        entries, export_to = self.entries, self.export_to
        self.export_button.setEnabled(False)
        self.status.setText(f"Saving {path}…")

        def saved(_):
            self.status.setText(f"Saved {len(entries)} entries to {path}.")
            self.reload()  # the export is an entry of its own

        def failed(message):
            self.export_button.setEnabled(True)
            self.status.setText(message)

        self.run(lambda: export_to(path, entries), saved, failed)
