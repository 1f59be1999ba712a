"""Many processes on one index: one writer at a time, a waiting writer says so, a killed writer
never blocks the next, and opening the index while another process writes loses nothing."""

import signal
import subprocess
import sys
import threading
import time

from assistant.store.writer_lock import LOCK_NAME, WAITING, writing

# Another process takes the index's writer lock, says so, and keeps it until killed or done.
HOLDER = """
import sys, time
from pathlib import Path
from assistant.store.writer_lock import writing
with writing(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(folder, seconds):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def test_an_ingest_waits_for_another_process_then_indexes_everything(assistant, tmp_path):
    (tmp_path / "a.txt").write_text("The supplier delivers within thirty days.")
    holder = hold(assistant.index_dir, 1.5)
    heard, began = [], time.monotonic()
    reports = assistant.ingest([tmp_path / "a.txt"], notify=heard.append)
    assert heard == [WAITING] and time.monotonic() - began >= 1.0
    assert [r.status.value for r in reports] == ["ok"] and len(assistant.documents()) == 1
    assert holder.wait(10) == 0


def test_a_killed_writer_releases_the_lock_at_once(assistant, tmp_path):
    (tmp_path / "a.txt").write_text("Either party may terminate on ninety days notice.")
    holder = hold(assistant.index_dir, 600)
    threading.Timer(0.5, lambda: holder.send_signal(signal.SIGKILL)).start()
    began = time.monotonic()
    reports = assistant.ingest([tmp_path / "a.txt"], notify=lambda m: None)
    assert time.monotonic() - began < 30 and [r.status.value for r in reports] == ["ok"]
    assert holder.wait(10) == -signal.SIGKILL


def test_cancelled_while_waiting_nothing_is_indexed(assistant, tmp_path):
    (tmp_path / "a.txt").write_text("The term is two years.")
    holder = hold(assistant.index_dir, 600)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    try:
        assert assistant.ingest([tmp_path / "a.txt"], cancel=cancel) == []
        assert assistant.documents() == []
    finally:
        holder.kill()
        holder.wait(10)


def test_opening_the_index_while_another_process_writes_keeps_its_pending_document(assistant, hash_embedder):
    """A pending document is another writer's work in progress, not a killed process's leftover."""
    from assistant.service import Assistant
    from assistant.types import Source

    source = Source("f" * 64, "/x/a.txt", "a.txt", "txt", "a", 1, 1, 10)
    assistant.index.catalog.add_pending(source, vectors=1)
    holder = hold(assistant.index_dir, 600)
    try:
        other = Assistant(assistant.index_dir, embedder=hash_embedder)
        assert other.index.recovered == [] and assistant.index.catalog.status_of(source.source_id) == "pending"
        other.close()
    finally:
        holder.kill()
        holder.wait(10)
    with writing(assistant.index_dir):  # with no other writer, the leftover is purged on open
        pass
    again = Assistant(assistant.index_dir, embedder=hash_embedder)
    assert again.index.recovered == [source.source_id]
    again.close()
    assert (assistant.index_dir / LOCK_NAME).exists()
