"""The document library: a table of documents that accepts files and folders dropped from the
desktop, sorted by a click on a column header and narrowed by a filter box, the buttons and the
context menu that act on it, and the progress of the running batch.

The table shows a LibraryProxyModel over the DocumentTableModel: a view's row is not the model's
row once the table is sorted or filtered, so every index from the view goes through the proxy
(`LibraryProxyModel.document`) before it names a document."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QProgressBar,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from assistant.types import IngestProgress
from ui.models import INDEXED, DocumentRow, DocumentTableModel, LibraryProxyModel


def dropped_paths(mime) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


class DocumentTable(QTableView):
    """Accepts local files and folders dropped on it (drop events reach the viewport and Qt
    routes them to these handlers)."""

    files_dropped = Signal(list)

    def __init__(self, model: LibraryProxyModel, parent=None):
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
        # Click a header to sort, again to reverse, a third time for the catalogue's order
        # (indexed documents by name, this session's other files below); it starts there.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        self.setSortingEnabled(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Type, Pages and Chunks are as wide as their longest value, measured once from the font:
        # fitting them to the rows (ResizeToContents) asks data() of 1,000 rows after every sort
        # or refresh, 100 ms for a large library.
        for column, widest in ((1, "Markdown"), (2, "0000"), (3, "00000")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(header.sectionSizeHint(column),
                                             self.fontMetrics().horizontalAdvance(widest) + 16))
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
    open_document = Signal(object)  # a DocumentRow: the row double-clicked, or Enter pressed on
    cancel_ingest = Signal()

    def __init__(self, model: DocumentTableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.proxy = LibraryProxyModel(model, self)
        self.table = DocumentTable(self.proxy)
        self.table.activated.connect(lambda index: self.open_document.emit(self.proxy.document(index)))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # popup(), not exec(): the menu does not run an event loop of its own.
        self.table.customContextMenuRequested.connect(
            lambda pos: self.context_menu().popup(self.table.viewport().mapToGlobal(pos)))
        self.hint = QLabel("Drop PDF, Word or text files, or whole folders, here.")
        self.hint.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name, folder or status")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.filter.textChanged.connect(self._update_count)
        self.filter_count = QLabel()  # "12 of 10,000": a narrowed table is not a library that lost documents
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter, 1)
        filter_row.addWidget(self.filter_count)
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
        layout.addLayout(filter_row)
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
        for signal in (self.proxy.modelReset, self.proxy.layoutChanged, self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(self._update_count)
        self._update_count()

    def selected_rows(self) -> list[DocumentRow]:
        """The selected documents, top to bottom as the table shows them."""
        indexes = sorted(self.table.selectionModel().selectedRows(), key=lambda index: index.row())
        return [self.proxy.document(index) for index in indexes]

    def selected_documents(self) -> list[DocumentRow]:
        return [r for r in self.selected_rows() if r.status == INDEXED and r.source_id]

    def _update_buttons(self, *_):
        rows = self.selected_rows()
        self.remove_button.setEnabled(bool(rows))
        self.reindex_button.setEnabled(any(r.status != "indexing…" for r in rows))
        self.open_button.setEnabled(len(rows) == 1)

    def context_menu(self) -> QMenu:
        """Right-click on the table: the buttons' actions, on the selection (a right-click selects
        the row under the pointer first, as in a file manager)."""
        menu = QMenu(self.table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a new one per right-click
        for text, signal, button in (("Open", self.open_selected, self.open_button),
                                     ("Re-index", self.reindex_selected, self.reindex_button),
                                     ("Remove", self.remove_selected, self.remove_button)):
            menu.addAction(text, signal.emit).setEnabled(button.isEnabled())
        return menu

    def _update_count(self, *_):
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.filter_count.setText(f"{shown:,} of {total:,}")
        self.filter_count.setVisible(bool(self.proxy.filter_text()))

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
        # The bar and time left go by the files' sizes where the pipeline gives them (one long
        # PDF can be most of a batch's time), else by the count of files.
        share = progress.share or progress.done / max(progress.total, 1)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(1000 * share))
        elapsed = time.monotonic() - self._batch_started
        left = ""
        if 0 < share < 1 and progress.done < progress.total:
            left = f" · about {_duration(elapsed * (1 - share) / share)} left"
        if progress.ocr:
            doing = f"Reading {progress.current}: OCR page {progress.page} of {progress.pages}"
        elif progress.pages:
            doing = f"Reading {progress.current}, page {progress.page} of {progress.pages}"
        else:
            doing = f"Indexing {progress.current}" if starting else f"Done {progress.current}"
        self.progress_label.setText(f"{progress.done} of {progress.total} files{left}\n{doing}")

    def show_cancelling(self):
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling after the current file (a scan stops at its next page)…")

    def show_idle(self, summary: str = ""):
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.progress_label.setText(summary)
        self.progress_label.setVisible(bool(summary))


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min"
