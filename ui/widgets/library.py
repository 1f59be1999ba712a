"""The document library: a table of documents that accepts files and folders dropped from the
desktop, the buttons that act on it, and the progress of the running batch."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from assistant.types import IngestProgress
from ui.models import INDEXED, DocumentRow, DocumentTableModel


def dropped_paths(mime) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


class DocumentTable(QTableView):
    """Accepts local files and folders dropped on it (drop events reach the viewport and Qt
    routes them to these handlers)."""

    files_dropped = Signal(list)

    def __init__(self, model: DocumentTableModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(4, 180)

    def dragEnterEvent(self, event):
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            event.ignore()


class LibraryPanel(QWidget):
    add_files = Signal()
    add_folder = Signal()
    remove_selected = Signal()
    reindex_selected = Signal()
    open_selected = Signal()
    cancel_ingest = Signal()

    def __init__(self, model: DocumentTableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.table = DocumentTable(model)
        self.hint = QLabel("Drop PDF, Word or text files, or whole folders, here.")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.remove_button = QPushButton("Remove")
        self.reindex_button = QPushButton("Re-index")
        self.open_button = QPushButton("Open")
        for button, signal in ((self.add_files_button, self.add_files), (self.add_folder_button, self.add_folder),
                               (self.remove_button, self.remove_selected), (self.reindex_button, self.reindex_selected),
                               (self.open_button, self.open_selected)):
            button.clicked.connect(signal)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.progress_bar = QProgressBar()
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_ingest)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(progress_row)
        layout.addWidget(self.progress_label)
        self.setMinimumWidth(360)
        self._batch_started = 0.0
        self.show_idle()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def selected_rows(self) -> list[DocumentRow]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def selected_documents(self) -> list[DocumentRow]:
        return [r for r in self.selected_rows() if r.status == INDEXED and r.source_id]

    def _update_buttons(self, *_):
        rows = self.selected_rows()
        self.remove_button.setEnabled(bool(rows))
        self.reindex_button.setEnabled(any(r.status != "indexing…" for r in rows))
        self.open_button.setEnabled(len(rows) == 1)

    # Progress of the running batch
    def show_started(self, files: str):
        self._batch_started = time.monotonic()
        self.progress_bar.setRange(0, 0)  # busy until the first count arrives
        self.progress_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.progress_label.setText(f"Looking at {files}…")
        self.progress_label.show()

    def show_progress(self, progress: IngestProgress, starting: bool):
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.done)
        elapsed = time.monotonic() - self._batch_started
        left = ""
        if progress.done and progress.done < progress.total:
            seconds = elapsed / progress.done * (progress.total - progress.done)
            left = f" · about {_duration(seconds)} left"
        doing = f"Indexing {progress.current}" if starting else f"Done {progress.current}"
        self.progress_label.setText(f"{progress.done} of {progress.total} files{left}\n{doing}")

    def show_cancelling(self):
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling after the current file…")

    def show_idle(self, summary: str = ""):
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.progress_label.setText(summary)
        self.progress_label.setVisible(bool(summary))


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min"
