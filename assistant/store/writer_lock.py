"""One writer at a time per index, across processes: the app, a CLI ingest and a script may all
open the same collection. Readers (search, answers) need no lock: SQLite and Chroma serve them
while a writer works, and a document becomes visible only once it is complete.

The lock is the kernel's (flock on `writer.lock` in the index folder), so a writer that is killed
releases it at once: a dead ingest never blocks the next one. A writer that has to wait says so,
then waits, checking every fifth of a second, until the lock is free, the caller cancels, or the
timeout passes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from assistant.errors import IndexProblem

LOCK_NAME = "writer.lock"
WAITING = "waiting for another ingest of this collection…"
_held: set[Path] = set()  # index folders whose lock this process holds (a second flock would conflict)
_held_guard = threading.Lock()


class IndexBusy(IndexProblem):
    """Another process kept writing to this index for longer than we would wait."""


@contextmanager
def writing(folder: Path, notify: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            timeout: float = 3600.0) -> Iterator[bool]:
    """Hold the index's writer lock. Yields False when `cancel` was set while waiting: the caller
    then writes nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            if notify is not None:
                notify(WAITING)
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if cancel is not None and cancel.wait(0.2):
                    yield False
                    return
                if cancel is None:
                    time.sleep(0.2)
                if time.monotonic() > deadline:
                    raise IndexBusy(f"Another process has been writing to the index at {folder} for over "
                                    f"{timeout / 60:.0f} minutes; try again when it has finished.")
        with _held_guard:
            _held.add(folder.resolve())
        try:
            yield True
        finally:
            with _held_guard:
                _held.discard(folder.resolve())
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def unless_another_writer(folder: Path) -> Iterator[bool]:
    """Yields True, holding the lock, when no other process is writing to the index (or this one
    is): only then may a pending document be taken for one a killed process left behind."""
    with _held_guard:
        mine = folder.resolve() in _held
    if mine:
        yield True
        return
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield _try_lock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
