"""The library table sorted by its column headers and narrowed by its filter box, offscreen: real
clicks on the header and the rows, real typing, and actions on a sorted, filtered view acting on
the documents it shows (the view's rows go through the proxy to the model's)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox  # noqa: E402

from assistant.types import IngestReport, IngestStatus, Source  # noqa: E402
from tests.ui.test_app import docs, index_folder, make_window, statuses  # noqa: E402, F401
from ui.models import FAILED, INDEXED, QUEUED, DocumentTableModel  # noqa: E402
from ui.widgets.library import LibraryPanel  # noqa: E402

CATALOGUE = ["A-nda.docx", "b-supply.pdf", "c-dpa.txt", "zz-broken.pdf", "0-new.pdf"]


def source(name: str, pages: int, folder: str = "/contracts") -> Source:
    return Source(hashlib.sha256(name.encode()).hexdigest(), f"{folder}/{name}", name, Path(name).suffix[1:], "",
                  pages, pages * 3, 1000)


@pytest.fixture
def panel(qtbot):
    """A library with three indexed documents (pages 100, 9 and 10: a text sort would get them
    wrong), a failed file and a queued one, in a shown panel."""
    model = DocumentTableModel()
    panel = LibraryPanel(model)
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    qtbot.waitExposed(panel)
    testers = [QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Fatal)
               for m in (model, panel.proxy)]
    model.set_indexed([source("b-supply.pdf", 9), source("A-nda.docx", 100), source("c-dpa.txt", 10)])
    model.apply_report(IngestReport("/inbox/zz-broken.pdf", IngestStatus.FAILED, reason="it has no text layer"))
    model.mark("/inbox/0-new.pdf", QUEUED)
    yield panel
    del testers


def shown(panel) -> list[str]:
    return [panel.proxy.index(row, 0).data() for row in range(panel.proxy.rowCount())]


def click_header(qtbot, panel, column: int):
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def row_centre(panel, row: int) -> QPoint:
    return panel.table.visualRect(panel.proxy.index(row, 0)).center()


def test_clicking_a_header_sorts_the_rows_again_reverses_them_and_a_third_time_restores_the_catalogue_order(
        qtbot, panel):
    assert shown(panel) == CATALOGUE  # indexed by name, then this session's rows as they came
    click_header(qtbot, panel, 0)
    assert shown(panel) == ["0-new.pdf", "A-nda.docx", "b-supply.pdf", "c-dpa.txt", "zz-broken.pdf"]  # any case
    header = panel.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (0, Qt.SortOrder.AscendingOrder)
    click_header(qtbot, panel, 0)
    assert shown(panel) == ["zz-broken.pdf", "c-dpa.txt", "b-supply.pdf", "A-nda.docx", "0-new.pdf"]
    click_header(qtbot, panel, 0)
    assert shown(panel) == CATALOGUE and header.sortIndicatorSection() == -1

    click_header(qtbot, panel, 2)  # pages as numbers; equal pages by name
    assert shown(panel) == ["0-new.pdf", "zz-broken.pdf", "b-supply.pdf", "c-dpa.txt", "A-nda.docx"]
    assert [panel.proxy.index(r, 2).data() for r in range(5)] == ["", "", 9, 10, 100]
    click_header(qtbot, panel, 4)
    assert [panel.proxy.index(r, 4).data() for r in range(5)] == [
        "failed: it has no text layer", "indexed", "indexed", "indexed", "queued"]
    click_header(qtbot, panel, 1)
    assert [panel.proxy.index(r, 1).data() for r in range(5)] == ["pdf", "PDF", "pdf", "Text", "Word"]


def test_the_selection_stays_on_its_document_when_the_rows_are_sorted_and_refreshed(qtbot, panel):
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(panel, 2))
    assert [r.name for r in panel.selected_rows()] == ["c-dpa.txt"]
    click_header(qtbot, panel, 2)
    assert shown(panel).index("c-dpa.txt") == 3
    assert [r.name for r in panel.selected_rows()] == ["c-dpa.txt"]
    assert panel.table.selectionModel().selectedRows()[0].row() == 3
    # A refresh keeps the chosen order (and this session's rows), however the catalogue lists them.
    panel.model.set_indexed([source("c-dpa.txt", 10), source("A-nda.docx", 100), source("d-sla.pdf", 1)])
    assert shown(panel) == ["0-new.pdf", "zz-broken.pdf", "d-sla.pdf", "c-dpa.txt", "A-nda.docx"]


def test_the_filter_box_narrows_by_name_folder_or_status_ignoring_case_and_clearing_restores_every_row(qtbot, panel):
    assert panel.filter_count.isHidden()
    qtbot.keyClicks(panel.filter, "DPA")
    assert shown(panel) == ["c-dpa.txt"]
    assert panel.filter_count.text() == "1 of 5" and panel.filter_count.isVisible()
    panel.filter.setText("/inbox/")  # the folder: part of the path, not of the name
    assert shown(panel) == ["zz-broken.pdf", "0-new.pdf"]
    panel.filter.setText("No Text Layer")  # a failed file's reason is part of its status
    assert shown(panel) == ["zz-broken.pdf"]
    panel.filter.setText("indexed")
    click_header(qtbot, panel, 2)  # sorting applies to what is shown
    click_header(qtbot, panel, 2)
    assert shown(panel) == ["A-nda.docx", "c-dpa.txt", "b-supply.pdf"]
    panel.filter.setText("queued")
    assert shown(panel) == ["0-new.pdf"]
    panel.model.apply_report(IngestReport("/inbox/0-new.pdf", IngestStatus.OK, pages=2, chunks=4, source_id="new"))
    assert shown(panel) == []  # no longer queued: it leaves the filtered view as it changes
    assert panel.filter_count.text() == "0 of 5"
    panel.filter.clear()
    assert sorted(shown(panel)) == sorted(CATALOGUE) and len(shown(panel)) == 5
    assert panel.filter_count.isHidden()


def test_a_selected_row_that_the_filter_hides_is_not_acted_on(qtbot, panel):
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(panel, 1))
    assert [r.name for r in panel.selected_rows()] == ["b-supply.pdf"] and panel.remove_button.isEnabled()
    qtbot.keyClicks(panel.filter, "dpa")
    assert panel.selected_rows() == [] and not panel.remove_button.isEnabled()


def test_a_view_index_is_refused_where_a_model_index_is_needed(panel):
    with pytest.raises(ValueError, match="mapToSource"):
        panel.model.row_at(panel.proxy.index(0, 0))
    assert panel.proxy.document(panel.proxy.index(0, 0)).name == "A-nda.docx"


def test_thousands_of_rows_are_filled_with_one_reset_and_found_by_path_after_a_sort(qtbot):
    model = DocumentTableModel()
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda *a: inserted.append(a))
    sources = [source(f"contract-{i:05d}.pdf", i % 40 + 1, folder=f"/suppliers/{i % 97}") for i in range(5_000)]
    model.set_indexed(sources)
    assert len(resets) == 1 and inserted == [] and model.rowCount() == 5_000
    model.sort(2, Qt.SortOrder.DescendingOrder)
    for s in sources[::499]:
        assert model.row_at(model.find(s.path)).path == s.path
    model.apply_report(IngestReport(sources[7].path, IngestStatus.FAILED, reason="unreadable"))
    assert model.row_at(model.find(sources[7].path)).status == FAILED and model.rowCount() == 5_000
    # The same document indexed from another path takes over its row.
    model.apply_report(IngestReport("/elsewhere/copy.pdf", IngestStatus.SKIPPED, source_id=sources[9].source_id))
    assert model.find(sources[9].path) == -1 and model.row_at(model.find("/elsewhere/copy.pdf")).status == INDEXED
    model.remove_paths([s.path for s in sources[100:1100]])
    assert model.rowCount() == 4_000 and model.find(sources[100].path) == -1
    assert all(model.row_at(model.find(s.path)).path == s.path for s in sources[1100::250])


def test_actions_in_a_sorted_filtered_library_act_on_the_documents_it_shows(qtbot, make_window, docs, monkeypatch):
    window = make_window()
    index_folder(qtbot, window, docs)
    # The refresh that follows a batch resets the table (and its selection): let it land first.
    qtbot.waitUntil(lambda: not window.background._relays, timeout=10_000)
    library = window.library
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    opened = []
    monkeypatch.setattr("ui.main_window.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    click_header(qtbot, library, 0)
    click_header(qtbot, library, 0)
    assert shown(library) == ["northwind.txt", "msa.pdf", "broken.pdf"]
    qtbot.keyClicks(library.filter, ".PDF")
    assert shown(library) == ["msa.pdf", "broken.pdf"]
    assert window.documents.row_at(0).name == "northwind.txt"  # the view's row 0 is not the model's

    # A double-click as the window system sends it: a click, then the double-click event.
    qtbot.mouseClick(library.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(library, 0))
    qtbot.mouseDClick(library.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(library, 0))
    assert opened == [str(docs / "msa.pdf")]
    assert "msa.pdf" in window.chat.scope_label.text() and window.scope()[0].documents == (
        statuses(window)["msa.pdf"].source_id,)

    qtbot.mouseClick(library.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(library, 1))
    viewport, at = library.table.viewport(), row_centre(library, 1)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at)))
    [menu] = [m for m in library.table.findChildren(QMenu) if m.isVisible()]
    assert [(a.text(), a.isEnabled()) for a in menu.actions()] == [("Open", True), ("Re-index", True), ("Remove", True)]
    [remove] = [a for a in menu.actions() if a.text() == "Remove"]
    remove.trigger()  # a failed file: its row goes, nothing else
    menu.close()
    assert sorted(statuses(window)) == ["msa.pdf", "northwind.txt"]

    library.filter.setText("NORTH")
    assert shown(library) == ["northwind.txt"]
    qtbot.mouseClick(library.table.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(library, 0))
    library.remove_button.click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Removed 1 document(s).", timeout=10_000)
    qtbot.waitUntil(lambda: "northwind.txt" not in statuses(window), timeout=10_000)
    assert [d.name for d in window.assistant().documents()] == ["msa.pdf"]
    assert shown(library) == [] and library.filter_count.text() == "0 of 1"
