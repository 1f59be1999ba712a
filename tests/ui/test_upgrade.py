"""The app upgrades documents ingested with fast vectors in the background: it starts once a
batch is in, is held back while another batch is ingested, resumes, and is cancelled on close."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("pytestqt")

from assistant.runtime import app_runtime  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.store.catalog import FAST, FULL  # noqa: E402
from assistant.testing import HashEmbedder, ScriptedGenerator  # noqa: E402
from ui.app import favour_the_gui_thread  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


class SlowEmbedder(HashEmbedder):
    """MiniLM's stand-in: a pause per batch, so an upgrade is still running when a test acts."""

    def __init__(self, pause: float):
        super().__init__()
        self.pause = pause

    def embed_documents(self, texts):
        time.sleep(self.pause)
        return super().embed_documents(texts)


def write_contracts(folder, count, start=0):
    folder.mkdir(exist_ok=True)
    for i in range(start, start + count):
        (folder / f"contract-{i}.txt").write_text(
            f"SUPPLY AGREEMENT {i}\n1. PAYMENT\n1.1 Invoices are payable within {i + 10} days.\n"
            f"2. TERM\n2.1 The term is {i + 1} years.\n")
    return folder


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_HOME", str(tmp_path / "home"))
    favour_the_gui_thread()
    runtime = app_runtime(Settings(), embedder=SlowEmbedder(0.15), generator=ScriptedGenerator(),
                          fast_embedder=HashEmbedder(dimension=32, name="test/fast-hash"))
    win = MainWindow(runtime, settings_file=tmp_path / "home" / "settings.toml", ui_state_file=tmp_path / "ui.ini",
                     check_model=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def tiers(window):
    catalog = window.assistant().index.catalog
    return [catalog.tier_of(d.source_id) for d in window.assistant().documents()]


def test_a_batch_is_upgraded_in_the_background_after_it_is_in(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000):
        window.ingest_paths([write_contracts(tmp_path / "docs", 4)])
    assert len(tiers(window)) == 4
    qtbot.waitUntil(lambda: tiers(window) == [FULL] * 4, timeout=30_000)
    counts = window.assistant().index.consistency()
    assert counts["vectors"] == counts["windows"] > 0 and counts["fast_vectors"] == 0
    qtbot.waitUntil(lambda: "Search quality improved for" in window.statusBar().currentMessage(), timeout=5_000)


def test_a_new_batch_holds_the_upgrade_back_and_it_resumes_afterwards(qtbot, window, tmp_path):
    folder = write_contracts(tmp_path / "docs", 6)
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000):
        window.ingest_paths([folder])
    qtbot.waitUntil(lambda: FULL in tiers(window), timeout=30_000)  # the upgrade is under way
    write_contracts(folder, 2, start=6)
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000) as finished:
        window.ingest_paths([folder])
    assert sum(r.status.value == "ok" for r in finished.args[0]) == 2
    assert FAST in tiers(window)  # cancelled for the batch, so not finished yet
    qtbot.waitUntil(lambda: tiers(window) == [FULL] * 8, timeout=60_000)


def test_closing_during_an_upgrade_cancels_it_and_leaves_it_resumable(qtbot, window, tmp_path):
    with qtbot.waitSignal(window.ingest_finished, timeout=30_000):
        window.ingest_paths([write_contracts(tmp_path / "docs", 8)])
    qtbot.waitUntil(lambda: FULL in tiers(window), timeout=10_000)
    index_dir = window.assistant().index_dir
    began = time.monotonic()
    window.close()
    assert time.monotonic() - began < 10
    assert window.upgrading.pool.activeThreadCount() == 0
    assert [t.name for t in threading.enumerate() if "clausewise" in t.name.lower()] == []
    from assistant.service import Assistant

    reopened = Assistant(index_dir, embedder=HashEmbedder(), fast_embedder=HashEmbedder(32, "test/fast-hash"))
    left = reopened.pending_upgrade()
    assert 0 < len(left) < 8  # cut short: the finished ones are FULL, the rest still FAST
    assert reopened.upgrade().upgraded == len(left) and reopened.pending_upgrade() == []
    reopened.close()
