"""What a lost laptop holds, in the app: encrypted collections created and opened through dialogs
(the passphrase is checked off the GUI thread), the audit log shown, verified and exported, exports
recorded, and an ingest that waits for another process's writer lock and can be cancelled meanwhile.
The real window offscreen, real stores in a temporary folder, the hash embedder."""

from __future__ import annotations

import csv
import json

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from assistant.store.audit_log import AUDIT_LOG_NAME  # noqa: E402
from assistant.store.encryption import KEYRING_NAME, unlock  # noqa: E402
from assistant.types import IngestStatus  # noqa: E402
from tests.store.test_writer_lock import hold  # noqa: E402
from tests.ui.test_app import NORTHWIND, docs, index_folder, make_window, select, statuses  # noqa: E402, F401
from ui.models import CANCELLED, INDEXED  # noqa: E402

PASSPHRASE = "correct horse battery"


def create_encrypted(qtbot, window, name="Board minutes", passphrase=PASSPHRASE):
    window.new_collection()
    dialog = window.new_collection_dialog
    dialog.name.setText(name)
    dialog.encrypt.setChecked(True)
    dialog.passphrase.setText(passphrase)
    dialog.confirm.setText(passphrase)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15_000)
    assert window.current.name == name
    return window.current


def answer_passphrase(qtbot, window, passphrase):
    qtbot.waitUntil(lambda: window.passphrase_dialog is not None and window.passphrase_dialog.isVisible(), timeout=5_000)
    dialog = window.passphrase_dialog
    dialog.passphrase.setText(passphrase)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    return dialog


def ingest(qtbot, window, paths):
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
        window.ingest_paths(paths)
    return finished.args[0]


def test_the_new_collection_dialog_refuses_a_short_or_mismatched_passphrase_and_creates_an_encrypted_one(
        qtbot, make_window, tmp_path):
    window = make_window()
    window.new_collection()
    dialog = window.new_collection_dialog
    assert not dialog.passphrase.isEnabled()  # only with "Encrypt this collection"
    dialog.name.setText("Board minutes")
    dialog.encrypt.setChecked(True)
    assert dialog.passphrase.isEnabled() and dialog.confirm.isEnabled()
    dialog.passphrase.setText("short")
    dialog.confirm.setText("short")
    dialog.ok_button.click()
    assert dialog.isVisible() and "at least 8 characters" in dialog.status.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE + "!")
    dialog.ok_button.click()
    assert dialog.isVisible() and "differ" in dialog.status.text()
    assert window.current.name == "My documents"
    dialog.confirm.setText(PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15_000)

    collection = window.current
    assert collection.name == "Board minutes" and (collection.folder / KEYRING_NAME).is_file()
    assert not window.locked and window.passphrase_dialog is None  # not asked again
    at = window.collection_box.findData("Board minutes")
    assert not window.collection_box.itemIcon(at).isNull() and window.collection_box.itemIcon(0).isNull()  # a lock
    assert "(encrypted)" in window.windowTitle() and window.change_passphrase_action.isEnabled()
    (tmp_path / "northwind.txt").write_text(NORTHWIND)
    reports = ingest(qtbot, window, [tmp_path / "northwind.txt"])
    assert [r.status for r in reports] == [IngestStatus.OK]
    qtbot.waitUntil(lambda: "northwind.txt" in statuses(window), timeout=10_000)
    assert window.passphrase_dialog is None
    # What is on disk says nothing of the contract: the log's lines are sealed.
    assert "northwind" not in (collection.folder / AUDIT_LOG_NAME).read_text().lower()


def test_a_fresh_window_opens_a_locked_collection_refuses_a_wrong_passphrase_and_opens_with_the_right_one(
        qtbot, make_window, tmp_path):
    first = make_window()
    create_encrypted(qtbot, first)
    (tmp_path / "northwind.txt").write_text(NORTHWIND)
    ingest(qtbot, first, [tmp_path / "northwind.txt"])
    first.close()

    window = make_window()  # starts on the collection it was left on
    assert window.current.name == "Board minutes" and window.locked
    assert window.documents.rowCount() == 0 and "locked" in window.windowTitle()
    assert window.assistant().opened_index is None  # nothing touched the index of a locked collection
    dialog = answer_passphrase(qtbot, window, "not the passphrase")
    assert dialog.isVisible() and dialog.status.text().startswith("The passphrase is wrong")
    assert window.locked and window.documents.rowCount() == 0 and window.assistant().opened_index is None
    window.chat.question.setText("Which law governs the Northwind supply agreement?")
    window.chat.ask_button.click()  # asking a locked collection asks for its passphrase, nothing more
    assert not window.chat.running and window.assistant().opened_index is None
    dialog.passphrase.setText(PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    qtbot.waitUntil(lambda: "northwind.txt" in statuses(window), timeout=10_000)
    assert statuses(window)["northwind.txt"].status == INDEXED


def test_switching_to_an_encrypted_collection_asks_and_cancel_keeps_the_open_one(qtbot, make_window, docs):
    first = make_window()
    create_encrypted(qtbot, first)
    first.switch_collection("My documents")
    index_folder(qtbot, first, docs)
    first.close()

    window = make_window()
    qtbot.waitUntil(lambda: "msa.pdf" in statuses(window), timeout=10_000)
    window.choose_collection("Board minutes")
    qtbot.waitUntil(lambda: window.passphrase_dialog is not None and window.passphrase_dialog.isVisible())
    assert window.current.name == "My documents"  # until the passphrase is right
    window.passphrase_dialog.reject()
    assert window.current.name == "My documents" and window.collection_box.currentText() == "My documents"
    assert "msa.pdf" in statuses(window) and not window.locked
    window.choose_collection("Board minutes")
    answer_passphrase(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: window.current.name == "Board minutes", timeout=15_000)
    assert not window.locked and window.collection_box.currentText() == "Board minutes"
    qtbot.waitUntil(lambda: window.background.pool.activeThreadCount() == 0)
    assert window.documents.rowCount() == 0
    window.switch_collection("My documents")
    window.switch_collection("Board minutes")  # unlocked once in this window: not asked again
    assert window.current.name == "Board minutes" and window.passphrase_dialog.finished_


def test_cancelling_the_passphrase_at_start_leaves_the_collection_locked_and_usable_later(qtbot, make_window, tmp_path):
    first = make_window()
    create_encrypted(qtbot, first)
    first.close()
    window = make_window()
    qtbot.waitUntil(lambda: window.passphrase_dialog is not None and window.passphrase_dialog.isVisible())
    window.passphrase_dialog.reject()
    assert window.locked and window.unlock_action.isEnabled() and not window.audit_log_action.isEnabled()
    assert "locked" in window.library.progress_label.text()
    (tmp_path / "a.txt").write_text("The term is two years.")
    assert window.ingest_paths([tmp_path / "a.txt"]) is None  # a drop asks for the passphrase instead
    assert window.passphrase_dialog.isVisible() and window.assistant().opened_index is None
    answer_passphrase(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert not window.unlock_action.isEnabled() and window.audit_log_action.isEnabled()


def test_change_passphrase_checks_the_old_one_and_the_new_one_opens_it(qtbot, make_window):
    window = make_window()
    assert not window.change_passphrase_action.isEnabled()  # a plain collection has none
    collection = create_encrypted(qtbot, window)
    window.change_passphrase_action.trigger()
    dialog = window.change_passphrase_dialog
    dialog.old.setText("not the passphrase")
    dialog.new.setText("a new passphrase")
    dialog.confirm.setText("a new passphrase")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    assert dialog.isVisible() and "current passphrase is wrong" in dialog.status.text()
    dialog.old.setText(PASSPHRASE)
    dialog.confirm.setText("another")
    dialog.ok_button.click()
    assert dialog.isVisible() and "characters" not in dialog.status.text() and "differ" in dialog.status.text()
    dialog.confirm.setText("a new passphrase")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15_000)
    unlock(collection.folder, "a new passphrase")
    assert window.assistant().audit_log.entries()[-1].action == "passphrase changed"


def test_audit_log_dialog_lists_verifies_exports_and_names_a_changed_entry(qtbot, make_window, docs, tmp_path,
                                                                          monkeypatch):
    window = make_window()
    index_folder(qtbot, window, docs)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    select(window, docs / "northwind.txt")
    window.remove_selected()
    # The removal's own end: the row can vanish a moment earlier, when a refresh already queued by
    # the ingest reads the catalog between the purge and the audit entry.
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Removed 1 document(s).", timeout=10_000)
    qtbot.waitUntil(lambda: "northwind.txt" not in statuses(window), timeout=10_000)

    window.audit_log_action.trigger()
    dialog = window.audit_dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    assert dialog.verdict.text().startswith("Intact: 2 entries, newest hash ")
    actions = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
    assert actions == ["ingest", "remove"]
    assert "msa.pdf" in dialog.table.item(0, 4).text() and "northwind.txt" in dialog.table.item(1, 4).text()
    assert [dialog.table.item(r, 0).text() for r in range(2)] == ["1", "2"] and dialog.table.item(0, 2).text()

    out = tmp_path / "audit.csv"
    monkeypatch.setattr("ui.widgets.audit_log.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.loaded and dialog.table.rowCount() == 3, timeout=10_000)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["entry", "time", "user", "action", "details", "hash"]
    assert [r[3] for r in rows[1:]] == ["ingest", "remove"]
    assert dialog.table.item(2, 3).text() == "export" and str(out) in dialog.table.item(2, 4).text()
    assert "audit log" in dialog.table.item(2, 4).text() and dialog.verdict.text().startswith("Intact: 3 entries")

    log = window.current.folder / AUDIT_LOG_NAME
    lines = log.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[1])
    entry["details"]["removed"] = ["something else"]
    lines[1] = json.dumps(entry)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    window.open_audit_log()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    assert "entry 2 (line 2) was changed after it was written" in dialog.verdict.text()
    assert "c62828" in dialog.verdict.styleSheet()  # in red


def test_a_waiting_ingest_says_so_and_indexes_once_the_other_writer_is_done(qtbot, make_window, tmp_path):
    (tmp_path / "northwind.txt").write_text(NORTHWIND)
    window = make_window()
    holder = hold(window.current.folder, 600)
    try:
        with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
            window.ingest_paths([tmp_path / "northwind.txt"])
            qtbot.waitUntil(lambda: "Waiting for another ingest of this collection…" in window.library.progress_label.text(),
                            timeout=10_000)
            assert window.ingest_queue.busy and window.library.cancel_button.isVisible()
            holder.kill()
    finally:
        holder.kill()
        holder.wait(10)
    assert [r.status for r in finished.args[0]] == [IngestStatus.OK]
    qtbot.waitUntil(lambda: statuses(window).get("northwind.txt") is not None
                    and statuses(window)["northwind.txt"].status == INDEXED, timeout=10_000)


def test_cancel_while_waiting_for_another_writer_indexes_and_removes_nothing(qtbot, make_window, docs):
    window = make_window()
    index_folder(qtbot, window, docs)
    before = [d.source_id for d in window.assistant().documents()]
    holder = hold(window.current.folder, 600)
    try:
        # A new file: cancelled while waiting, nothing indexed.
        with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
            (docs / "extra.txt").write_text("Extra agreement. Payment is due within ten days.")
            window.ingest_paths([docs / "extra.txt"])
            qtbot.waitUntil(lambda: "Waiting for another ingest" in window.library.progress_label.text(), timeout=10_000)
            window.library.cancel_button.click()
        assert finished.args[0] == []
        assert window.library.progress_label.text() == "Cancelled; nothing was indexed."
        assert statuses(window)["extra.txt"].status == CANCELLED
        # Re-indexing: its removal waits for the lock too, so a cancel leaves the document indexed.
        select(window, docs / "northwind.txt")
        with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
            window.library.reindex_button.click()
            qtbot.waitUntil(lambda: "Waiting for another ingest" in window.library.progress_label.text(), timeout=10_000)
            window.library.cancel_button.click()
        assert finished.args[0] == []
    finally:
        holder.kill()
        holder.wait(10)
    assert [d.source_id for d in window.assistant().documents()] == before
    assert [e.action for e in window.assistant().audit_log.entries()] == ["ingest"]
