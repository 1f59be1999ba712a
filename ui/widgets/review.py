"""The Review view: pick a checklist, run it over the collection (or the selected documents) in
the background, and read the table: documents as rows, items as columns, cells coloured by status.
A click on a cell shows its evidence in the source viewer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ui.models import ReviewTableModel


class ReviewPanel(QWidget):
    run_requested = Signal(str)  # checklist id
    cancel_requested = Signal()
    export_requested = Signal()
    cell_clicked = Signal(object)  # a review Cell

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = ReviewTableModel(self)
        self.checklist_box = QComboBox()
        self.checklist_box.setMinimumWidth(220)
        self.run_button = QPushButton("Run review")
        self.cancel_button = QPushButton("Cancel")
        self.export_button = QPushButton("Export…")
        self.only_missing = QCheckBox("Only missing")
        self.only_missing.setToolTip("Show only documents and items that are not found or unclear")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setDefaultSectionSize(150)
        self.progress_bar = QProgressBar()
        self.progress_label = QLabel("Choose a checklist and run it over this collection, or over the selected documents.")
        self.progress_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Checklist:"))
        top.addWidget(self.checklist_box, 1)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.only_missing)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.run_button.clicked.connect(lambda: self.run_requested.emit(self.checklist_box.currentData() or ""))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.export_button.clicked.connect(self.export_requested)
        self.only_missing.toggled.connect(self.model.set_only_missing)
        self.table.clicked.connect(self._clicked)
        self.show_idle()

    def set_checklists(self, checklists: dict[str, str]):
        """checklist id -> display name"""
        current = self.checklist_box.currentData()
        self.checklist_box.clear()
        for checklist_id, name in checklists.items():
            self.checklist_box.addItem(name, checklist_id)
        if current is not None and self.checklist_box.findData(current) >= 0:
            self.checklist_box.setCurrentIndex(self.checklist_box.findData(current))

    def _clicked(self, index):
        cell = self.model.cell_at(index)
        if cell is not None:
            self.cell_clicked.emit(cell)

    def show_started(self, total_documents: int, checklist_name: str):
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.progress_label.setText(f"Reviewing {total_documents} document(s) with {checklist_name}…")

    def show_progress(self, progress):
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.done)
        self.progress_label.setText(f"{progress.done} of {progress.total} checks · {progress.document}: {progress.item}")

    def show_idle(self, summary: str = ""):
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress_bar.hide()
        if summary:
            self.progress_label.setText(summary)
        self.export_button.setEnabled(bool(self.model.cells()))
