"""Runs checklist reviews for the main window: one at a time, on their own thread (ui/workers.py's
ReviewJob), cells streamed into the Review view as they are decided, cancellable, exported on
request. A review of the current collection, or of the documents selected in the library."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QFileDialog

from assistant.errors import ClausewiseError
from assistant.clauses.checklist import available, find_checklist, load_checklist
from assistant.review.export import write_review
from ui.widgets.review import ReviewPanel
from ui.workers import ReviewJob

EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV (*.csv);;Markdown (*.md)"


class ReviewController(QObject):
    def __init__(self, panel: ReviewPanel, assistant: Callable[[], object | None], selected: Callable[[], list],
                 show_evidence: Callable[[str, int, int, int], None], warn: Callable[[str], None], parent=None):
        super().__init__(parent)
        self.panel, self.assistant, self.selected = panel, assistant, selected
        self.show_evidence, self.warn = show_evidence, warn
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.job: ReviewJob | None = None
        self.checklist = None
        self.closed = False
        panel.run_requested.connect(self.run)
        panel.cancel_requested.connect(self.cancel)
        panel.export_requested.connect(self.export)
        panel.cell_clicked.connect(self.show_cell)
        self.load_checklists()

    def load_checklists(self):
        names = {}
        for checklist_id, path in available().items():
            try:
                names[checklist_id] = load_checklist(path).name
            except ClausewiseError as exc:  # a broken user file is reported, the rest stay usable
                self.warn(exc.message)
        self.panel.set_checklists(names)

    @property
    def running(self) -> bool:
        return self.job is not None

    def run(self, checklist_id: str):
        if self.running:
            return
        assistant = self.assistant()
        if assistant is None:  # a locked collection: the window is asking for its passphrase
            return
        try:
            self.checklist = find_checklist(checklist_id)
        except ClausewiseError as exc:
            return self.warn(exc.message)
        selected = self.selected()
        documents = [row.source_id for row in selected] or None
        self.panel.model.set_checklist(self.checklist)
        job = ReviewJob(assistant, self.checklist, documents)
        job.cell.connect(self.panel.model.add_cell)
        job.progress.connect(self.panel.show_progress)
        job.finished.connect(lambda: self._finished(job))
        job.failed.connect(lambda message: (self.warn(message), self._finished(job)))
        self.job = job
        count = len(selected) if selected else "all"
        self.panel.show_started(count, self.checklist.name)
        self.pool.start(job.runnable())

    def _finished(self, job: ReviewJob):
        if self.closed or job is not self.job:
            return
        self.job = None
        counts = Counter(cell.status for cell in self.panel.model.cells())
        cancelled = " (cancelled)" if job.cancel_event.is_set() else ""
        self.panel.show_idle(f"{self.checklist.name}{cancelled}: {counts['found']} found, "
                             f"{counts['not_found']} not found, {counts['unclear']} unclear"
                             f"{f', {n} wording to check' if (n := counts['to_check']) else ''}.")

    def cancel(self):
        if self.job is not None:
            self.job.cancel()

    def clear(self):
        """A new collection: the old table no longer applies."""
        self.cancel()
        self.panel.model.set_checklist(None)
        self.panel.show_idle("Choose a checklist and run it over this collection, or over the selected documents.")

    def show_cell(self, cell):
        if cell.evidence:
            quote = cell.evidence[0]
            self.show_evidence(cell.source_id, quote.page, quote.start, quote.end)
        elif cell.reason:
            self.panel.progress_label.setText(f"{cell.doc}: {cell.reason}")

    def export(self, path: str | None = None):
        cells = self.panel.model.cells()
        if not cells:
            return self.warn("There is no review to export yet.")
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.panel, "Export the review", f"{self.checklist.id}.xlsx",
                                                  EXPORT_FILTER)
        if path:
            try:
                write_review(Path(path), self.checklist, cells)
            except (ClausewiseError, OSError) as exc:
                return self.warn(getattr(exc, "message", None) or f"The review could not be saved: {exc}")
            assistant = self.assistant()
            try:
                if assistant is not None:  # an export leaves the collection's protection: logged
                    assistant.record_export(path, f"review '{self.checklist.name}'")
            except ClausewiseError as exc:
                return self.warn(f"Saved {path}, but the export could not be written to the audit log: {exc.message}")
            self.panel.progress_label.setText(f"Saved {path}")

    def shutdown(self, msecs: int = 30_000):
        self.closed = True
        self.cancel()
        self.pool.clear()
        self.pool.waitForDone(msecs)
