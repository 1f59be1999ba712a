"""The main window: layout and wiring. Library on the left, conversation and review (tabs) in the
middle, source viewer on the right; a banner above them for problems the user has to act on (a missing model).
Everything slow goes through ui/workers.py."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QFileDialog, QInputDialog, QMainWindow, QMessageBox, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from assistant.collections import Collection, Collections
from assistant.errors import ClausewiseError
from assistant.paths import data_home
from assistant.runtime import Runtime
from assistant.service import Assistant
from assistant.settings import Settings, collections_home, save_settings, settings_path
from assistant.store.encryption import change_passphrase
from assistant.types import IngestStatus, SearchFilters
from ui.menus import build_menus
from ui.models import CANCELLED, FAILED, INDEXING, QUEUED, DocumentTableModel
from ui.review_controller import ReviewController
from ui.widgets.audit_log import AuditLogDialog
from ui.widgets.chat import ChatPanel
from ui.widgets.collection_dialogs import ChangePassphraseDialog, NewCollectionDialog, PassphraseDialog, lock_icon
from ui.widgets.library import LibraryPanel
from ui.widgets.model_banner import ModelBanner, model_problem
from ui.widgets.review import ReviewPanel
from ui.widgets.settings_dialog import SettingsDialog
from ui.widgets.system_report import SystemReportDialog
from ui.widgets.viewer import SourceViewer
from ui.workers import Answering, Background, IngestJob, IngestQueue, UpgradeJob, Upgrading

SUPPORTED_FILTER = "Documents (*.pdf *.docx *.txt *.md);;All files (*)"


class MainWindow(QMainWindow):
    documents_loaded = Signal()  # the current collection's documents are in the table
    ingest_finished = Signal(list)  # the reports of a finished batch

    def __init__(self, runtime: Runtime, settings_file: Path | None = None, ui_state_file: Path | None = None,
                 check_model: bool = True):
        """`runtime`: the settings and the parts every collection's Assistant shares
        (assistant/runtime.py, app flavour); the window owns it from now on and closes it."""
        super().__init__()
        self.setWindowTitle("Clausewise")
        self.runtime = runtime
        self.settings_file = settings_file or settings_path()
        self.collections = Collections(collections_home(runtime.settings))
        self._assistants: dict[Path, Assistant] = {}
        self.background = Background()
        self.ingest_queue = IngestQueue(self)
        self.upgrading = Upgrading(self)
        self.answering = Answering(self)
        self.answering.event.connect(self._on_answer_event)
        self.ui_state = QSettings(str(ui_state_file or data_home() / "ui-state.ini"), QSettings.Format.IniFormat)

        self.documents = DocumentTableModel(self)
        self.library = LibraryPanel(self.documents)
        self.chat = ChatPanel()
        self.review = ReviewPanel()
        self.viewer = SourceViewer()
        self.banner = ModelBanner()
        self.banner.open_settings.connect(self.open_settings)
        self.report_dialog: SystemReportDialog | None = None
        self.collection_box = QComboBox()
        self.collection_box.setMinimumWidth(200)
        self._build_layout()
        self.reviewing = ReviewController(self.review, self.ready_assistant, self.library.selected_documents,
                                          self._show, self._warn, self)
        build_menus(self)
        self._wire()
        self.current: Collection | None = None
        # An encrypted collection is "locked" until its passphrase is given in this window: it is
        # then current with nothing loaded, and nothing may open its index (see `_ready`).
        self.locked = False
        self._unlocked: set[Path] = set()  # folders of encrypted collections unlocked in this window
        self.passphrase_dialog: PassphraseDialog | None = None
        self.new_collection_dialog: NewCollectionDialog | None = None
        self.change_passphrase_dialog: ChangePassphraseDialog | None = None
        self.audit_dialog: AuditLogDialog | None = None
        self._closing = threading.Event()  # stops a removal that waits for another writer's lock
        self._reload_collections(select=self.ui_state.value("collection", ""))
        self._restore_state()
        if check_model:
            self.check_model()
        if hasattr(self.runtime.embedder, "warm_up"):
            self.background.run(self.runtime.embedder.warm_up)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    # Layout
    def _build_layout(self):
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.library)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.chat, "Ask")
        self.tabs.addTab(self.review, "Review")
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.viewer)
        self.splitter.setSizes([420, 520, 460])
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.setMinimumSize(960, 560)
        self.setAcceptDrops(True)
        self.statusBar()

    def _wire(self):
        self.library.table.files_dropped.connect(self.ingest_paths)
        self.library.add_files.connect(self.choose_files)
        self.library.add_folder.connect(self.choose_folder)
        self.library.remove_selected.connect(self.remove_selected)
        self.library.reindex_selected.connect(self.reindex_selected)
        self.library.open_selected.connect(self.open_selected)
        self.library.open_document.connect(self.open_document)
        self.library.cancel_ingest.connect(self.cancel_ingest)
        self.library.table.selectionModel().selectionChanged.connect(self._update_scope)
        self.documents.modelReset.connect(self._update_scope)
        self.documents.rowsInserted.connect(self._update_scope)
        self.chat.ask.connect(self.ask)
        self.chat.stop.connect(self.stop_answer)
        self.chat.export.connect(self.export_conversation)
        self.chat.citation_clicked.connect(self.show_citation)
        self.chat.low_confidence_pages = lambda ids: self.assistant().low_confidence_pages(ids)
        self.chat.passage_clicked.connect(self.show_hit)
        self.collection_box.activated.connect(lambda i: self.choose_collection(self.collection_box.itemData(i)))

    # Drops anywhere on the window count, not only on the table
    def dragEnterEvent(self, event):
        self.library.table.dragEnterEvent(event)

    def dropEvent(self, event):
        self.library.table.dropEvent(event)

    # Collections
    def assistant(self, collection: Collection | None = None) -> Assistant:
        collection = collection or self.current
        found = self._assistants.get(collection.folder)
        if found is None:
            found = self.runtime.assistant(collection.folder)
            self._assistants[collection.folder] = found
        return found

    def ready_assistant(self) -> Assistant | None:
        """The current collection's Assistant, or None (offering the passphrase) while it is locked."""
        return self.assistant() if self._ready() else None

    def _ready(self) -> bool:
        if self.locked:
            self.unlock_current()
            return False
        return True

    def _reload_collections(self, select: str = ""):
        collections = self.collections.list()
        names = [c.name for c in collections]
        self.collection_box.clear()
        for collection in collections:
            self.collection_box.addItem(collection.name, collection.name)  # text and data: the name
            if collection.encrypted:
                self.collection_box.setItemIcon(self.collection_box.count() - 1, lock_icon())
                self.collection_box.setItemData(self.collection_box.count() - 1,
                                                "Encrypted: opens with its passphrase", Qt.ItemDataRole.ToolTipRole)
        self.switch_collection(select if select in names else names[0])

    def choose_collection(self, name: str):
        """The collection box's choice: choosing a locked collection again asks for its passphrase again."""
        if self.locked and self.current is not None and self.current.name == name:
            return self.unlock_current()
        self.switch_collection(name)

    def switch_collection(self, name: str):
        """Show the collection `name`. An encrypted one asks for its passphrase first: switching
        from an open collection, that one stays until the passphrase is right; at start-up (or
        after a delete) it is shown locked, with nothing loaded, and asked for once the window is up."""
        self.collection_box.setCurrentIndex(self.collection_box.findData(name))
        if self.current is not None and self.current.name == name:
            return self._show_collection_state()
        target = self.collections.get(name)
        if target.encrypted and target.folder not in self._unlocked:
            if self.current is None or self.locked:
                self._open(target, locked=True)
                QTimer.singleShot(0, self.unlock_current)  # after the window has been shown
            else:
                self._ask_passphrase(target)
            return
        self._open(target)

    def _open(self, collection: Collection, locked: bool = False):
        was_locked = self.locked
        self.stop_answer()
        self.current, self.locked = collection, locked
        self.chat.clear()
        self.reviewing.clear()
        self.documents.clear()
        self.ui_state.setValue("collection", collection.name)
        self._show_collection_state()
        if locked:
            self.library.show_idle(f"“{collection.name}” is encrypted and locked. Choose Collection → Unlock… "
                                   "and type its passphrase to open it.")
        else:
            if was_locked and not self.ingest_queue.busy:
                self.library.show_idle()
            self.refresh_documents()

    def _show_collection_state(self):
        collection = self.current
        encrypted = collection.encrypted
        state = " (encrypted, locked)" if self.locked else " (encrypted)" if encrypted else ""
        self.setWindowTitle(f"Clausewise — {collection.name}{state}")
        self.unlock_action.setEnabled(self.locked)
        self.change_passphrase_action.setEnabled(encrypted and not self.locked)
        self.audit_log_action.setEnabled(not self.locked)

    def unlock_current(self):
        if self.locked and self.current is not None and not self.background.closed:
            self._ask_passphrase(self.current)

    def _ask_passphrase(self, target: Collection):
        """The passphrase dialog; Assistant.unlock checks it on the pool (scrypt: a few tenths of a second)."""
        showing = self.passphrase_dialog
        if showing is not None and not showing.finished_:
            if showing.collection_name == target.name:
                return showing.raise_()
            self.passphrase_dialog = None  # its answer no longer counts
            showing.reject()
        dialog = PassphraseDialog(target.name, self.assistant(target).unlock, self.background.run, self)
        self.passphrase_dialog = dialog
        dialog.accepted.connect(lambda: self._unlocked_now(target, dialog))
        dialog.rejected.connect(lambda: self._unlock_cancelled(target, dialog))
        dialog.open()

    def _unlocked_now(self, target: Collection, dialog: PassphraseDialog):
        if dialog is not self.passphrase_dialog:
            return
        self._unlocked.add(target.folder)
        self._open(target)
        self.statusBar().showMessage(f"“{target.name}” is unlocked.", 5_000)

    def _unlock_cancelled(self, target: Collection, dialog: PassphraseDialog):
        if dialog is not self.passphrase_dialog:
            return
        if self.current is not None:  # the open collection stays, or the locked one stays locked
            self.collection_box.setCurrentIndex(self.collection_box.findData(self.current.name))
        self.statusBar().showMessage(f"“{target.name}” was not opened: it stays locked.", 10_000)

    def new_collection(self):
        dialog = NewCollectionDialog(self._create_collection, self.background.run, self)
        self.new_collection_dialog = dialog
        dialog.accepted.connect(lambda: self._collection_created(*dialog.created))
        dialog.open()

    def _create_collection(self, name: str, passphrase: str | None):
        """For an encrypted collection this runs on the pool: writing its key file and unlocking
        it again for its Assistant (so the user is not asked at once) each derive a key."""
        collection = self.collections.create(name, passphrase)
        if passphrase is None:
            return collection, None
        assistant = self.runtime.assistant(collection.folder)
        assistant.unlock(passphrase)
        return collection, assistant

    def _collection_created(self, collection: Collection, assistant: Assistant | None):
        if assistant is not None:
            self._assistants[collection.folder] = assistant
            self._unlocked.add(collection.folder)
        self._reload_collections(select=collection.name)

    def change_passphrase(self):
        collection = self.current
        if self.locked or not collection.encrypted:
            return
        assistant = self.assistant()

        def change(old: str, new: str):  # on the pool
            change_passphrase(collection.folder, old, new)
            assistant.record("passphrase changed")

        dialog = ChangePassphraseDialog(collection.name, change, self.background.run, self)
        self.change_passphrase_dialog = dialog
        dialog.accepted.connect(lambda: self.statusBar().showMessage(
            f"The passphrase of “{collection.name}” is changed; nothing was re-indexed.", 10_000))
        dialog.open()

    def open_audit_log(self):
        """Collection → Audit log…: read and verified on the pool (an encrypted log is decrypted line by line)."""
        if not self._ready():
            return
        assistant = self.assistant()

        def load():
            log = assistant.audit_log
            return log.entries(), log.verify()

        def export(path: Path, entries):
            assistant.audit_log.write_csv(path, entries)
            assistant.record_export(path, "audit log")

        if self.audit_dialog is None:
            self.audit_dialog = AuditLogDialog(self.background.run, self)
        self.audit_dialog.show_log(self.current.name, load, export)

    def rename_collection(self):
        name, ok = QInputDialog.getText(self, "Rename collection", "New name:", text=self.current.name)
        if ok and name.strip() and name.strip() != self.current.name:
            try:
                renamed = self.collections.rename(self.current.name, name)
            except ClausewiseError as exc:
                return self._warn(exc.message)
            self.current = renamed
            self._reload_collections(select=renamed.name)

    def delete_collection(self):
        doomed = self.current
        if any(job.assistant is self._assistants.get(doomed.folder) for job in self.ingest_queue.jobs):
            return self._warn(f"“{doomed.name}” is being indexed; cancel that first.")
        answer = QMessageBox.question(self, "Delete collection",
                                      f"Delete the collection “{doomed.name}” and its index? The original files are not touched.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        assistant = self._assistants.pop(doomed.folder, None)
        if assistant is not None:
            assistant.close()  # an index must be closed before its folder goes
        self._unlocked.discard(doomed.folder)
        try:
            self.collections.delete(doomed.name)
        except ClausewiseError as exc:
            return self._warn(exc.message)
        self.current, self.locked = None, False
        self._reload_collections()

    # Documents
    def refresh_documents(self):
        if self.locked:
            return
        collection, assistant = self.current, self.assistant()

        def loaded(result):
            sources, flagged, ocr = result
            if self.current is collection:
                self.documents.set_indexed(sources, flagged, ocr)
                self.documents_loaded.emit()
                self.resume_upgrade()

        self.background.run(lambda: (assistant.documents(), assistant.flagged_documents(), assistant.ocr_reports()),
                            loaded, self._warn)

    def choose_files(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Add documents", "", SUPPORTED_FILTER)
        if paths:
            self.ingest_paths([Path(p) for p in paths])

    def choose_folder(self):
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of documents")
        if folder:
            self.ingest_paths([Path(folder)])

    def ingest_paths(self, paths, remove_first: list[str] = ()):
        if not self._ready():
            return None
        job = IngestJob(self.assistant(), paths, remove_first=remove_first)
        collection = self.current
        for path in paths:
            if Path(path).is_file():
                self.documents.mark(str(Path(path).absolute()), QUEUED)
        job.progress.connect(lambda progress, report: self._on_ingest_progress(collection, progress, report))
        job.waiting.connect(lambda message: self._on_ingest_waiting(collection, message))
        job.finished.connect(lambda reports: self._on_ingest_finished(collection, job, reports))
        job.failed.connect(self._warn)
        job.failed.connect(lambda _m: self._on_ingest_finished(collection, job, []))
        names = ", ".join(Path(p).name for p in paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        self.library.show_started(names)
        self.upgrading.cancel()  # the batch comes first; the upgrade resumes when it has finished
        self.ingest_queue.submit(job)
        return job

    # The background upgrade: documents are ingested with fast vectors, searchable at once, and
    # get their full-quality (MiniLM) vectors here while the user works (assistant/ingest/upgrade.py).
    def resume_upgrade(self):
        if self.locked or self.ingest_queue.busy or self.upgrading.closed or self.current is None:
            return
        assistant = self.assistant()
        if assistant.fast_embedder is None or self.upgrading.running_for(assistant):
            return
        collection = self.current
        job = UpgradeJob(assistant)
        job.progress.connect(lambda progress: self._on_upgrade_progress(collection, progress))
        job.finished.connect(lambda result: self._on_upgrade_finished(collection, result))
        job.failed.connect(lambda message: None if self.upgrading.closed else self._warn(message))
        self.upgrading.start(job)

    def _on_upgrade_progress(self, collection, progress):
        if self.upgrading.closed or collection is not self.current or not progress.total:
            return
        if progress.current:
            self.statusBar().showMessage(
                f"Improving search quality: document {progress.done + 1} of {progress.total} "
                f"({progress.current}); search and answers work meanwhile.")

    def _on_upgrade_finished(self, collection, result):
        if self.upgrading.closed or collection is not self.current:
            return
        if result.upgraded and not result.remaining:
            self.statusBar().showMessage(f"Search quality improved for {result.upgraded} document(s).", 10_000)
        elif result.upgraded or result.remaining:
            self.statusBar().clearMessage()

    def _on_ingest_progress(self, collection, progress, report):
        if self.ingest_queue.closed:
            return
        current = collection is self.current
        if report is None:
            # A long PDF reports each page read: its row is marked once, the label follows the pages.
            if current and progress.page <= 1:
                self.documents.mark(progress.path, INDEXING)
        elif current:
            self.documents.apply_report(report)
        self.library.show_progress(progress, starting=report is None)

    def _on_ingest_waiting(self, collection, message: str):
        """Another process (a CLI ingest, a second window) is writing to this collection."""
        if self.ingest_queue.closed:
            return
        text = message[:1].upper() + message[1:]
        self.library.progress_label.setText(f"{text}\nAnother program is adding documents to “{collection.name}”; "
                                            "this batch starts when it has finished. Cancel stops waiting.")
        self.library.progress_label.show()
        self.statusBar().showMessage(text, 10_000)

    def _on_ingest_finished(self, collection, job, reports):
        if self.ingest_queue.closed:
            return
        self.ingest_queue.forget(job)
        counts = {status: sum(1 for r in reports if r.status == status) for status in IngestStatus}
        parts = [f"{counts[IngestStatus.OK]} indexed"]
        if counts[IngestStatus.SKIPPED]:
            parts.append(f"{counts[IngestStatus.SKIPPED]} unchanged")
        if counts[IngestStatus.FAILED]:
            parts.append(f"{counts[IngestStatus.FAILED]} failed (reasons in the table)")
        if counts[IngestStatus.CANCELLED]:
            parts.append(f"{counts[IngestStatus.CANCELLED]} cancelled")
        summary = ", ".join(parts) + "."
        if not reports and job.cancel_event.is_set():  # cancelled while waiting for another writer
            summary = "Cancelled; nothing was indexed."
            if collection is self.current:
                for path in job.paths:
                    if Path(path).is_file():
                        self.documents.mark(str(Path(path).absolute()), CANCELLED)
        if not self.ingest_queue.busy:
            self.library.show_idle(summary)
        if collection is self.current:
            self.refresh_documents()
        self.ingest_finished.emit(reports)

    def cancel_ingest(self):
        self.ingest_queue.cancel_all()
        self.library.show_cancelling()

    def remove_selected(self):
        rows = self.library.selected_rows()
        if not rows or not self._ready():
            return
        names = ", ".join(r.name for r in rows[:3]) + ("…" if len(rows) > 3 else "")
        answer = QMessageBox.question(self, "Remove documents",
                                      f"Remove {names} from “{self.current.name}”? The files themselves are not touched.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        assistant = self.assistant()
        ids = [r.source_id for r in rows if r.source_id and r.status != FAILED]
        self.documents.remove_paths([r.path for r in rows if not r.source_id or r.status == FAILED])

        def remove():  # under the writer lock (waiting for another writer) and into the audit log
            return len(assistant.remove_ids(ids, cancel=self._closing))

        if ids:
            self.statusBar().showMessage(f"Removing {len(ids)} document(s)…")
            self.background.run(remove, lambda n: (self.statusBar().showMessage(f"Removed {n} document(s)."),
                                                   self.refresh_documents()), self._warn)

    def reindex_selected(self):
        rows = self.library.selected_rows()
        if rows:
            self.ingest_paths([Path(r.path) for r in rows], remove_first=[r.source_id for r in rows if r.source_id])

    def open_selected(self):
        rows = self.library.selected_rows()
        if len(rows) == 1:
            self.open_document(rows[0])

    def open_document(self, row):
        """Opens the file in the desktop's application for its type."""
        path = Path(row.path)
        if not path.exists():
            return self._warn(f"{path} is no longer there; it may have been moved or deleted.")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # Asking
    def scope(self) -> tuple[SearchFilters | None, str]:
        selected = self.library.selected_documents()
        if selected:
            names = ", ".join(r.name for r in selected[:2]) + ("…" if len(selected) > 2 else "")
            return SearchFilters(documents=tuple(r.source_id for r in selected)), f"Asking about the selected: {names}"
        count = self.documents.indexed_count()
        where = self.current.name if self.current else ""
        return None, f"Asking about all {count} document{'s' if count != 1 else ''} in “{where}”"

    def _update_scope(self, *_):
        self.chat.scope_label.setText(self.scope()[1])

    def ask(self, question: str):
        if not self._ready():
            return
        filters, _ = self.scope()
        history = self.chat.history()
        self.chat.begin_turn(question)
        self.answering.ask(self.assistant(), question, filters=filters, history=history)

    def stop_answer(self):
        if self.chat.running:
            self.answering.stop()
            self.chat.mark_stopped()

    def _on_answer_event(self, event):
        self.chat.on_event(event)

    def run_review(self):
        self.tabs.setCurrentWidget(self.review)
        self.reviewing.run(self.review.checklist_box.currentData() or "")

    def focus_question(self):
        self.chat.question.setFocus()
        self.chat.question.selectAll()

    def export_conversation(self):
        if not self.chat.history():
            return self._warn("There is no answer to export yet.")
        path, _ = QFileDialog.getSaveFileName(self, "Export the conversation", "conversation.md", "Markdown (*.md)")
        if path:
            try:
                Path(path).write_text(self.chat.markdown(), encoding="utf-8")
                self.assistant().record_export(path, "conversation")  # a few milliseconds: one appended line
            except OSError as exc:
                return self._warn(f"The conversation could not be saved to {path}: {exc.strerror or exc}.")
            except ClausewiseError as exc:
                return self._warn(f"Saved {path}, but the export could not be written to the audit log: {exc.message}")
            self.statusBar().showMessage(f"Saved {path}")

    # The source viewer
    def show_citation(self, citation):
        self._show(citation.source_id, citation.page, citation.start, citation.end)

    def show_hit(self, hit):
        self._show(hit.chunk.source_id, hit.chunk.page, hit.chunk.start, hit.chunk.end)

    def _show(self, source_id: str, page_number: int, start: int, end: int):
        catalog = self.assistant().index.catalog
        source, page = catalog.document(source_id), catalog.page(source_id, page_number)
        if source is None or page is None:
            return self._warn("That document has been removed from the collection since the answer was given.")
        self.viewer.show_passage(source.name, source.doc_type, source.path, page_number, page.label, page.text, start, end,
                                 words=catalog.page_words(source_id, page_number))

    # Settings and the model
    def open_settings(self):
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() and dialog.result_settings is not None:
            self.apply_settings(dialog.result_settings)

    def apply_settings(self, settings: Settings):
        save_settings(settings, self.settings_file)
        home_changed = settings.index_home != self.settings.index_home
        self.runtime.configure(settings)
        for assistant in self._assistants.values():
            assistant.answer_settings = settings.answering
        if home_changed:
            self.collections = Collections(collections_home(settings))
            self.current, self.locked = None, False
            self._reload_collections()
        self.statusBar().showMessage("Settings saved.")
        self.check_model()

    def check_model(self):
        """Off the GUI thread: is the chosen model there, intact, and will it fit in memory?"""
        settings = self.settings
        self.background.run(lambda: model_problem(settings), self.banner.show_problem, self.banner.show_problem)

    def open_system_report(self):
        """Help → System report…: the doctor's report, collected on the pool (it hashes model files)."""
        from assistant.doctor import checkup, environment, stores_reusing

        if self.report_dialog is None:
            self.report_dialog = SystemReportDialog(self)
        dialog = self.report_dialog
        dialog.collecting()
        dialog.show()
        dialog.raise_()
        # Snapshot on the GUI thread: the indexes open now are read through their own stores.
        opened = {folder: a.opened_index for folder, a in self._assistants.items() if a.opened_index is not None}
        embedder = self.runtime.embedder
        settings, embedder = self.settings, (embedder.name, embedder.dimension)
        stores = stores_reusing(opened, self.runtime.vector_store)
        self.background.run(lambda: checkup(environment(settings=settings, embedder=embedder, stores=stores)).text(),
                            dialog.show_report, dialog.show_error)

    # State and shutdown
    def _restore_state(self):
        geometry = self.ui_state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        splitter = self.ui_state.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event):
        self.ui_state.setValue("geometry", self.saveGeometry())
        self.ui_state.setValue("splitter", self.splitter.saveState())
        self.ui_state.sync()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self):
        """Cancel, quit, wait: no thread outlives the window."""
        self._closing.set()
        self.answering.shutdown()
        self.reviewing.shutdown()
        self.ingest_queue.cancel_all()
        self.upgrading.cancel()
        self.runtime.terminate()  # a document mid-parse or mid-embedding fails now instead of finishing
        self.ingest_queue.shutdown()
        self.upgrading.shutdown()
        self.background.shutdown()
        for assistant in self._assistants.values():
            assistant.close()
        self._assistants.clear()
        self.runtime.close()

    def _warn(self, message: str):
        """A problem the user should read: in the status bar, and in a box that does not block."""
        self.statusBar().showMessage(message, 15_000)
        if self.isVisible():
            box = QMessageBox(QMessageBox.Icon.Warning, "Clausewise", message, QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
