"""The desktop app, offscreen with pytest-qt: the real window, real Chroma and SQLite in a temporary
folder, the hash embedder and a scripted generator (the real model is covered elsewhere)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QMessageBox  # noqa: E402

from assistant.types import Answer, Sources, Token  # noqa: E402
from assistant.runtime import app_runtime  # noqa: E402
from assistant.settings import AnswerSettings, GenerationSettings, Settings, load_settings  # noqa: E402
from assistant.testing import HashEmbedder, ScriptedGenerator  # noqa: E402
from assistant.types import IngestStatus  # noqa: E402
from tests.docmaker import CONTRACT_PAGES, write_pdf  # noqa: E402
from ui.app import favour_the_gui_thread  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.models import CANCELLED, FAILED, INDEXED  # noqa: E402

NORTHWIND = """SUPPLY AGREEMENT between Northwind Components Ltd and Harbour Tools GmbH.
1. TERM
1.1 The term is three (3) years and renews for one (1) year unless notice is given ninety (90) days before expiry.
2. GOVERNING LAW
2.1 This Supply Agreement is governed by the laws of Ireland.
"""


class SlowEmbedder(HashEmbedder):
    """The hash embedder with a pause per call, so a batch is still running when a test acts."""

    def __init__(self, pause: float):
        super().__init__()
        self.pause = pause

    def embed_documents(self, texts):
        time.sleep(self.pause)
        return super().embed_documents(texts)


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "msa.pdf", CONTRACT_PAGES)
    (folder / "northwind.txt").write_text(NORTHWIND)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_HOME", str(tmp_path / "home"))
    favour_the_gui_thread()  # as the app's start-up does
    windows = []

    def make(generator=None, embedder=None, settings=Settings(), check_model=False):
        runtime = app_runtime(settings, embedder=embedder or HashEmbedder(), generator=generator or ScriptedGenerator())
        window = MainWindow(runtime, settings_file=tmp_path / "home" / "settings.toml", ui_state_file=tmp_path / "ui.ini",
                            check_model=check_model)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.background.pool.activeThreadCount() == 0)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def drop(widget, paths):
    """A real drop: drag-enter, then drop, sent to the widget as the window system would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


def statuses(window):
    return {row.name: row for row in window.documents.rows()}


def select(window, path):
    """Selects the table row that shows `path`: the view's row, through the library's proxy."""
    row = window.library.proxy.view_row(str(path))
    assert row >= 0, f"{path} is not shown in the library"
    window.library.table.selectRow(row)


def index_folder(qtbot, window, folder):
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
        drop(window.library.table.viewport(), [folder])
    qtbot.waitUntil(lambda: statuses(window).get("msa.pdf") is not None
                    and statuses(window)["msa.pdf"].status == INDEXED, timeout=10_000)
    return finished.args[0]


def new_collection(window, name):
    """Collection → New collection…, a plain one: created as OK is pressed."""
    window.new_collection()
    dialog = window.new_collection_dialog
    dialog.name.setText(name)
    dialog.ok_button.click()
    assert not dialog.isVisible()


def ask(qtbot, window, question):
    events = []
    window.answering.event.connect(events.append)
    window.chat.question.setText(question)
    window.chat.ask_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, Answer) for e in events), timeout=20_000)
    window.answering.event.disconnect(events.append)
    return events


def test_dropped_folder_reaches_indexed_and_a_bad_file_shows_its_reason(qtbot, make_window, docs):
    window = make_window()
    tester = QAbstractItemModelTester(window.documents, QAbstractItemModelTester.FailureReportingMode.Fatal)
    reports = index_folder(qtbot, window, docs)
    assert sorted((Path(r.path).name, r.status) for r in reports) == [
        ("broken.pdf", IngestStatus.FAILED), ("msa.pdf", IngestStatus.OK), ("northwind.txt", IngestStatus.OK)]
    rows = statuses(window)
    assert rows["msa.pdf"].status == INDEXED and rows["msa.pdf"].pages == 3 and rows["msa.pdf"].chunks > 0
    assert rows["northwind.txt"].status == INDEXED
    broken = rows["broken.pdf"]
    assert broken.status == FAILED and broken.reason
    shown = window.documents.index(window.documents.find(broken.path), 4).data()
    assert shown.startswith("failed: ") and broken.reason in shown
    assert window.assistant().index.consistency()["chunks"] == rows["msa.pdf"].chunks + rows["northwind.txt"].chunks
    assert window.library.progress_label.text() == "2 indexed, 1 failed (reasons in the table)."
    assert window.library.progress_bar.isHidden() and window.library.cancel_button.isHidden()
    del tester


def test_question_streams_tokens_after_sources_and_citation_opens_the_page(qtbot, make_window, docs):
    window = make_window(generator=ScriptedGenerator())
    index_folder(qtbot, window, docs)
    select(window, docs / "msa.pdf")  # scope: the selected document
    assert "msa.pdf" in window.chat.scope_label.text()
    events = ask(qtbot, window, "Which law governs the Acme master supply agreement?")
    kinds = [type(e) for e in events]
    assert kinds[0] is Sources and kinds[-1] is Answer and Token in kinds
    assert kinds.index(Token) > kinds.index(Sources)
    answer = events[-1]
    assert not answer.abstained and "New York" in answer.text
    assert window.chat.passages.rowCount() == len(answer.passages) > 0
    transcript = window.chat.transcript.toHtml()
    assert 'href="cite:0:' in transcript and "New York" in transcript
    citation = answer.citations[0]
    assert citation.doc_name == "msa.pdf" and citation.page == 2
    number = citation.number
    window.chat.transcript.anchorClicked.emit(QUrl(f"cite:0:{number}"))
    shown = window.viewer.shown
    assert (shown.doc_name, shown.page, shown.mode, shown.highlighted) == ("msa.pdf", 2, "pdf", True)
    assert "msa.pdf" in window.viewer.header.text() and "page 2" in window.viewer.header.text()
    assert window.viewer.page_label.pixmap().width() >= 480


def test_source_in_a_text_file_is_shown_highlighted(qtbot, make_window, docs):
    window = make_window()
    index_folder(qtbot, window, docs)
    events = ask(qtbot, window, "Which law governs the Northwind supply agreement?")
    answer = events[-1]
    hit = next(p for p in answer.passages if p.doc_name == "northwind.txt")
    tester = QAbstractItemModelTester(window.chat.passages, QAbstractItemModelTester.FailureReportingMode.Fatal)
    row = list(answer.passages).index(hit)
    window.chat.passage_list.clicked.emit(window.chat.passages.index(row, 0))
    assert window.viewer.shown.mode == "text" and window.viewer.shown.doc_name == "northwind.txt"
    assert window.viewer.highlighted_text() == hit.text
    del tester


def test_stop_cancels_a_streaming_answer(qtbot, make_window, docs):
    # The model's JSON reply (generation/reply.py); the statement streams as it is written.
    generator = ScriptedGenerator(script='{"quote": "", "answer": "' + "The term is three years and renews yearly " * 30
                                  + '"}', delay=0.05)
    window = make_window(generator=generator)
    index_folder(qtbot, window, docs)
    events = []
    window.answering.event.connect(events.append)
    window.chat.question.setText("How long is the Northwind supply agreement term?")
    window.chat.ask_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, Token) for e in events), timeout=10_000)
    qtbot.keyClick(window.chat.question, Qt.Key.Key_Escape)
    assert window.chat.turns[-1].stopped
    qtbot.waitUntil(lambda: not window.answering.running, timeout=10_000)
    answer = next(e for e in events if isinstance(e, Answer))
    assert answer.cancelled
    assert generator.pieces_produced < len(generator.script.split(" ")) / 2
    assert not window.chat.stop_button.isEnabled()


def test_cancel_ingestion_keeps_the_index_consistent(qtbot, make_window, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"contract-{i:02d}.txt").write_text(NORTHWIND.replace("Northwind", f"Supplier{i}"))
    window = make_window(embedder=SlowEmbedder(0.15))
    started = []
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
        job = window.ingest_paths([folder])
        job.progress.connect(lambda p, r: started.append(r) if r is not None else None)
        qtbot.waitUntil(lambda: len(started) >= 2, timeout=10_000)
        window.library.cancel_button.click()
    reports = finished.args[0]
    done = [r for r in reports if r.status == IngestStatus.OK]
    assert 2 <= len(done) < 12
    assert sum(r.status == IngestStatus.CANCELLED for r in reports) == 12 - len(done)
    qtbot.waitUntil(lambda: sum(r.status == INDEXED for r in window.documents.rows()) == len(done), timeout=5_000)
    assert sum(r.status == CANCELLED for r in window.documents.rows()) == 12 - len(done)
    counts = window.assistant().index.consistency()
    assert counts["documents"] == len(done) and counts["chunks"] == counts["lexical"]


def test_questions_can_be_asked_while_a_batch_is_indexing(qtbot, make_window, docs, tmp_path):
    window = make_window(embedder=SlowEmbedder(0.2))
    index_folder(qtbot, window, docs)
    more = tmp_path / "more"
    more.mkdir()
    for i in range(10):
        (more / f"extra-{i}.txt").write_text(f"Extra agreement {i}. Payment is due within {i + 10} days.")
    with qtbot.waitSignal(window.ingest_finished, timeout=60_000):
        window.ingest_paths([more])
        events = ask(qtbot, window, "Which law governs the Northwind supply agreement?")
        assert window.ingest_queue.busy  # the answer came while the batch was still running
    assert "Ireland" in events[-1].text


def test_remove_and_reindex_a_document(qtbot, make_window, docs, monkeypatch):
    window = make_window()
    index_folder(qtbot, window, docs)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    select(window, docs / "northwind.txt")
    assert window.scope()[0].documents == (statuses(window)["northwind.txt"].source_id,)
    window.library.remove_button.click()
    qtbot.waitUntil(lambda: "northwind.txt" not in statuses(window), timeout=10_000)
    assert [d.name for d in window.assistant().documents()] == ["msa.pdf"]
    select(window, docs / "msa.pdf")
    old_id = statuses(window)["msa.pdf"].source_id
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
        window.library.reindex_button.click()
    assert [r.status for r in finished.args[0]] == [IngestStatus.OK]
    qtbot.waitUntil(lambda: statuses(window)["msa.pdf"].status == INDEXED, timeout=10_000)
    assert statuses(window)["msa.pdf"].source_id == old_id
    assert window.assistant().index.consistency()["documents"] == 1


def test_collections_scope_the_library_and_answers(qtbot, make_window, docs, monkeypatch):
    window = make_window()
    index_folder(qtbot, window, docs)
    new_collection(window, "GDPR policies")
    assert window.current.name == "GDPR policies"
    assert [window.collection_box.itemText(i) for i in range(window.collection_box.count())] == ["My documents", "GDPR policies"]
    qtbot.waitUntil(lambda: window.background.pool.activeThreadCount() == 0)
    assert window.documents.rowCount() == 0
    events = ask(qtbot, window, "Which law governs the Northwind supply agreement?")
    assert events[-1].abstained and not events[-1].citations  # nothing indexed in this collection
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Data protection", True))
    window.rename_collection()
    assert window.current.name == "Data protection" and window.collection_box.currentText() == "Data protection"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    folder = window.current.folder
    window.delete_collection()
    assert not folder.exists() and window.current.name == "My documents"
    qtbot.waitUntil(lambda: "msa.pdf" in statuses(window), timeout=10_000)


def test_conversation_follow_up_and_markdown_export(qtbot, make_window, docs, tmp_path, monkeypatch):
    window = make_window()
    index_folder(qtbot, window, docs)
    first = ask(qtbot, window, "Which law governs the Northwind supply agreement?")[-1]
    second = ask(qtbot, window, "and what is the term?")[-1]
    assert first.citations[0].doc_name == "northwind.txt"
    assert {c.doc_name for c in second.citations} == {"northwind.txt"}  # scoped to the previous answer's document
    out = tmp_path / "conversation.md"
    monkeypatch.setattr("ui.main_window.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "Markdown (*.md)"))
    window.export_conversation()
    text = out.read_text()
    assert "## Which law governs the Northwind supply agreement?" in text and "## and what is the term?" in text
    assert f'northwind.txt, p. 1: "{" ".join(first.citations[0].quote.split())}"' in text
    exported = window.assistant().audit_log.entries()[-1]  # an export leaves the collection: logged
    assert exported.action == "export" and exported.details == {"what": "conversation", "file": str(out.resolve())}
    window.chat.copy_button.click()
    assert QApplication.clipboard().text() == text


def test_settings_dialog_names_bad_values_and_persists_good_ones(qtbot, make_window, tmp_path):
    from ui.widgets.settings_dialog import OTHER_FILE, SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData(OTHER_FILE))
    dialog.model_file.setText(str(tmp_path / "missing.gguf"))
    dialog.context_tokens.setValue(512)
    dialog.passages.setValue(0)
    dialog.accept()
    assert dialog.result_settings is None and dialog.isVisible()
    assert "missing.gguf" in dialog.errors["model"].text() and dialog.errors["model"].isVisibleTo(dialog)
    assert "512" in dialog.errors["context_tokens"].text()
    assert "0" in dialog.errors["passages"].text()
    assert not dialog.errors["threads"].isVisibleTo(dialog)
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData("smollm2-135m"))
    dialog.context_tokens.setValue(2048)
    dialog.passages.setValue(4)
    dialog.threads.setValue(2)
    dialog.accept()
    assert dialog.result_settings is not None
    window.apply_settings(dialog.result_settings)
    saved = load_settings(tmp_path / "home" / "settings.toml")
    assert saved == Settings(generation=GenerationSettings(model="smollm2-135m", context_tokens=2048, threads=2),
                             answering=AnswerSettings(passages=4))
    assert window.assistant().answer_settings.passages == 4


def test_a_missing_model_shows_a_banner_not_a_crash(qtbot, make_window, tmp_path):
    missing = tmp_path / "nowhere" / "model.gguf"
    window = make_window(generator=None, settings=Settings(generation=GenerationSettings(model=str(missing))),
                         check_model=True)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "model.gguf" in window.banner.text.text()


def test_closing_while_work_runs_shuts_down_cleanly(qtbot, make_window, docs, tmp_path, capfd):
    generator = ScriptedGenerator(script="word " * 400, delay=0.02)
    window = make_window(generator=generator, embedder=SlowEmbedder(0.2))
    more = tmp_path / "more"
    more.mkdir()
    for i in range(8):
        (more / f"extra-{i}.txt").write_text(f"Extra agreement {i}. Payment is due within {i + 10} days.")
    window.ingest_paths([more])
    window.chat.question.setText("When is payment due?")
    window.chat.ask_button.click()
    qtbot.wait(300)
    began = time.monotonic()
    window.close()
    assert time.monotonic() - began < 10
    assert window.answering.thread.isFinished()
    assert window.ingest_queue.pool.activeThreadCount() == 0 and window.background.pool.activeThreadCount() == 0
    assert [t.name for t in threading.enumerate() if "clausewise" in t.name.lower()] == []
    assert "QThread" not in capfd.readouterr().err


def test_keyboard_shortcuts(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    window.focus_question()
    assert window.chat.question.hasFocus() or QApplication.focusWidget() is window.chat.question
    shortcuts = {a.text(): a.shortcut().toString() for a in window.findChildren(type(window.add_files_action))}
    assert shortcuts["Add files…"] == "Ctrl+O" and shortcuts["Focus the question"] == "Ctrl+L"
    assert window.minimumWidth() >= 900


def test_window_geometry_and_collection_are_remembered(qtbot, make_window, monkeypatch):
    window = make_window()
    window.resize(1234, 777)
    new_collection(window, "Supplier contracts")
    window.close()
    again = make_window()
    # The offscreen screen is small, so Qt may clamp the restored width; the height comes back.
    assert abs(again.height() - 777) <= 5 and again.width() != 1400
    assert again.current.name == "Supplier contracts"


def review_judge(messages):
    """Reads the excerpts: YES with the first excerpt that says "governed by" or "renew"."""
    import re

    prompt = messages[-1]["content"]
    for number, text in re.findall(r"^\[(\d+)\] \(page \d+\) (.+)$", prompt, re.M):
        if "governed by" in text or "renew" in text:
            return f"ANSWER: YES\nEXCERPT: {number}\nVALUE: NONE"
    return "ANSWER: NO\nEXCERPT: NONE\nVALUE: NONE"


def test_review_view_fills_a_coloured_table_filters_missing_and_opens_evidence(qtbot, make_window, docs, tmp_path,
                                                                               monkeypatch):
    from openpyxl import load_workbook

    window = make_window(generator=ScriptedGenerator(respond=review_judge))
    index_folder(qtbot, window, docs)
    review = window.review
    tester = QAbstractItemModelTester(review.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert review.checklist_box.findData("procurement-key-terms") >= 0
    review.checklist_box.setCurrentIndex(review.checklist_box.findData("procurement-key-terms"))
    window.run_review()
    assert window.tabs.currentWidget() is review
    qtbot.waitUntil(lambda: not window.reviewing.running, timeout=30_000)
    model = review.model
    assert model.rowCount() == 2 and model.columnCount() == 19  # msa.pdf and northwind.txt; broken.pdf never indexed
    names = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    labels = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    row, column = names.index("northwind.txt"), labels.index("Governing law")
    law = model.index(row, column)
    assert law.data() == "found: Ireland"
    assert law.data(Qt.ItemDataRole.BackgroundRole).color().green() > law.data(Qt.ItemDataRole.BackgroundRole).color().red()
    insurance = model.index(row, labels.index("Insurance"))
    assert insurance.data() == "not found" and "wording" in insurance.data(Qt.ItemDataRole.ToolTipRole)
    assert "found" in review.progress_label.text() and review.export_button.isEnabled()

    review.table.clicked.emit(law)  # the evidence opens in the source viewer
    shown = window.viewer.shown
    assert shown.doc_name == "northwind.txt" and shown.page == 1 and shown.highlighted

    review.only_missing.setChecked(True)  # only documents and items something is missing from
    visible = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Insurance" in visible and "Governing law" not in visible
    assert all(model.index(r, c).data() != "found: Ireland"
               for r in range(model.rowCount()) for c in range(model.columnCount()))
    review.only_missing.setChecked(False)

    out = tmp_path / "review.xlsx"
    monkeypatch.setattr("ui.review_controller.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), ""))
    [export] = [a for a in window.findChildren(type(window.add_files_action)) if a.text() == "Export review…"]
    export.trigger()  # the menu's Export review… (Ctrl+Shift+E)
    sheet = load_workbook(out)["Review"]
    assert sheet.max_row == 3 and sheet.cell(row=1, column=1).value == "Document"
    exported = window.assistant().audit_log.entries()[-1]
    assert exported.action == "export" and exported.details["file"] == str(out.resolve())
    assert exported.details["what"].startswith("review '")
    del tester


def test_review_can_be_cancelled_and_runs_on_the_selected_documents(qtbot, make_window, docs):
    window = make_window(generator=ScriptedGenerator(respond=review_judge, delay=0.05))
    index_folder(qtbot, window, docs)
    select(window, docs / "northwind.txt")
    window.review.checklist_box.setCurrentIndex(window.review.checklist_box.findData("procurement-key-terms"))
    window.run_review()
    qtbot.waitUntil(lambda: len(window.review.model.cells()) >= 1, timeout=20_000)
    window.review.cancel_button.click()
    qtbot.waitUntil(lambda: not window.reviewing.running, timeout=20_000)
    cells = window.review.model.cells()
    assert 1 <= len(cells) < 19 and {c.doc for c in cells} == {"northwind.txt"}
    assert "cancelled" in window.review.progress_label.text()


def test_system_report_is_collected_off_the_gui_thread_and_copied(qtbot, make_window, docs):
    window = make_window()
    index_folder(qtbot, window, docs)
    [help_menu] = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Help"]
    [report_action] = [a for a in help_menu.actions() if a.text() == "System report…"]
    report_action.trigger()
    dialog = window.report_dialog
    assert dialog.isVisible() and dialog.text.toPlainText().startswith("Collecting…")
    assert not dialog.copy_button.isEnabled()
    qtbot.waitUntil(lambda: "Indexes" in dialog.text.toPlainText(), timeout=60_000)
    text = dialog.text.toPlainText()
    assert text.startswith("Clausewise system report") and "Python" in text
    documents = sum(1 for r in window.documents.rows() if r.status == INDEXED)
    [line] = [line for line in text.splitlines() if "Index “My documents”" in line]
    assert f"{documents} documents, " in line and ": consistent (" in line
    assert dialog.text.isReadOnly()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text
