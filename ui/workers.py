"""All of the app's threading. The core is synchronous and knows nothing of Qt; this module decides
where its functions run and hands results back to the GUI thread through Qt's queued signals:

- short jobs (listing documents, rendering checks, removing a document) on a shared QThreadPool
  via `run_in_pool`, their result or error delivered to the GUI thread by one relay object;
- ingestion on its own single-thread pool (`IngestJob`), emitting per-file progress, cancellable;
- a checklist review on another single-thread pool (`ReviewJob`), emitting each cell, cancellable;
- the upgrade of documents ingested with fast vectors on a third (`Upgrading`), cancellable, and
  cancelled while a batch is ingested or the collection changes, resumed afterwards;
- questions on one `AnswerWorker` living on its own QThread, which owns the model's use: a new
  question cancels the previous one, stale events are dropped by request id on the GUI side, and
  tokens are batched so a fast model cannot flood the event loop.

Workers never touch widgets. Nothing calls processEvents(). On close: cancel, quit, wait.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from assistant.errors import ClausewiseError
from assistant.types import Answer, Failure, Token
from assistant.types import IngestProgress, IngestReport

log = logging.getLogger(__name__)

TOKEN_BATCH_SECONDS = 0.04  # at most ~25 repaints a second while an answer streams


def user_message(exc: Exception) -> str:
    """The one place an exception becomes text for the user."""
    if isinstance(exc, ClausewiseError):
        return exc.message
    return f"Something went wrong ({type(exc).__name__}: {exc}). Your documents and index are unchanged."


class _Relay(QObject):
    """Lives on the GUI thread; its signals, emitted from a pool thread, arrive there queued."""

    result = Signal(object)
    error = Signal(str)


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], object], relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self):
        try:
            value = self.fn()
        except Exception as exc:  # noqa: BLE001 - every failure reaches the user as text
            if not isinstance(exc, ClausewiseError):
                log.error("background job failed:\n%s", traceback.format_exc())
            self.relay.error.emit(user_message(exc))
        else:
            self.relay.result.emit(value)


class Background:
    """The shared pool for short jobs; keeps each job's relay alive until its result arrives."""

    def __init__(self):
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(2)
        self._relays: set[_Relay] = set()
        self.closed = False  # after shutdown, late results are dropped: their widgets are gone

    def run(self, fn: Callable[[], object], on_result: Callable[[object], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None:
        relay = _Relay()
        self._relays.add(relay)

        def done(_=None):
            self._relays.discard(relay)
            relay.deleteLater()

        if on_result:
            relay.result.connect(lambda value: None if self.closed else on_result(value))
        if on_error:
            relay.error.connect(lambda message: None if self.closed else on_error(message))
        relay.result.connect(done)
        relay.error.connect(done)
        self.pool.start(_Call(fn, relay))

    def shutdown(self, msecs: int = 30_000):
        self.closed = True
        self.pool.clear()
        self.pool.waitForDone(msecs)


class _PoolJob(QObject):
    """A cancellable job for a one-thread pool: `work()` runs there; its result leaves on the
    subclass's `finished` signal, a failure as plain text on `failed`."""

    what = "a job"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.cancel_event = threading.Event()

    def cancel(self):
        self.cancel_event.set()

    def work(self):
        raise NotImplementedError

    def runnable(self) -> QRunnable:
        job = self

        class _Run(QRunnable):
            def run(self):
                try:
                    result = job.work()
                except Exception as exc:  # noqa: BLE001 - every failure reaches the user as text
                    if not isinstance(exc, ClausewiseError):
                        log.error("%s failed:\n%s", job.what, traceback.format_exc())
                    job.failed.emit(user_message(exc))
                else:
                    job.finished.emit(*(() if result is None else (result,)))

        return _Run()


class IngestJob(_PoolJob):
    """One batch of files or folders, ingested on the ingest pool. Signals arrive on the GUI thread."""

    progress = Signal(object, object)  # IngestProgress, IngestReport | None (None: a file starts)
    waiting = Signal(str)  # another process holds the collection's writer lock; cancel still works
    finished = Signal(list)  # every IngestReport of the batch
    failed = Signal(str)
    what = "ingestion"

    def __init__(self, assistant, paths, remove_first=(), parent: QObject | None = None):
        super().__init__(parent)
        self.assistant = assistant
        self.paths = list(paths)
        self.remove_first = list(remove_first)  # re-indexing: these documents go before the files are read again
        self.started_at = 0.0

    def work(self) -> list:
        self.started_at = time.monotonic()
        if self.remove_first:  # under the writer lock, and into the audit log, like any removal
            self.assistant.remove_ids(self.remove_first, notify=self.waiting.emit, cancel=self.cancel_event,
                                      keep_ocr=True)
        return self.assistant.ingest(self.paths, progress=self._progress, cancel=self.cancel_event,
                                     notify=self.waiting.emit)

    def _progress(self, progress: IngestProgress, report: IngestReport | None):
        self.progress.emit(progress, report)


class IngestQueue(QObject):
    """Batches run one after another on a single thread: the embedder is the bottleneck anyway,
    and one writer per index keeps the stores simple."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.jobs: list[IngestJob] = []
        self.closed = False

    def submit(self, job: IngestJob):
        self.jobs.append(job)
        job.finished.connect(lambda _r, j=job: self.forget(j))
        job.failed.connect(lambda _m, j=job: self.forget(j))
        self.pool.start(job.runnable())

    def forget(self, job: IngestJob):
        if job in self.jobs:
            self.jobs.remove(job)

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def cancel_all(self):
        for job in self.jobs:
            job.cancel()

    def shutdown(self, msecs: int = 60_000):
        self.closed = True
        self.cancel_all()
        self.pool.clear()
        self.pool.waitForDone(msecs)


class UpgradeJob(_PoolJob):
    """Gives one collection's FAST documents their MiniLM vectors (assistant/ingest/upgrade.py)."""

    progress = Signal(object)  # UpgradeProgress
    finished = Signal(object)  # UpgradeResult
    failed = Signal(str)
    what = "the upgrade to full-quality vectors"

    def __init__(self, assistant, parent: QObject | None = None):
        super().__init__(parent)
        self.assistant = assistant

    def work(self):
        return self.assistant.upgrade(progress=self.progress.emit, cancel=self.cancel_event)


class Upgrading(QObject):
    """At most one upgrade at a time, on its own thread. `start` replaces a running upgrade of
    another collection (cancelled, it resumes when that collection is shown again)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.job: UpgradeJob | None = None
        self.closed = False

    def start(self, job: UpgradeJob) -> UpgradeJob:
        self.cancel()
        self.job = job
        job.finished.connect(lambda _r, j=job: self._forget(j))
        job.failed.connect(lambda _m, j=job: self._forget(j))
        self.pool.start(job.runnable())
        return job

    def _forget(self, job: UpgradeJob):
        if self.job is job:
            self.job = None

    def running_for(self, assistant) -> bool:
        return self.job is not None and self.job.assistant is assistant and not self.job.cancel_event.is_set()

    def cancel(self):
        if self.job is not None:
            self.job.cancel()

    def shutdown(self, msecs: int = 60_000):
        self.closed = True
        self.cancel()
        self.pool.clear()
        self.pool.waitForDone(msecs)


class ReviewJob(_PoolJob):
    """One checklist review of a collection; runs on the review pool. Signals arrive on the GUI thread."""

    cell = Signal(object)  # a review Cell
    progress = Signal(object)  # ReviewProgress
    finished = Signal()
    failed = Signal(str)
    what = "review"

    def __init__(self, assistant, checklist, documents=None, parent: QObject | None = None):
        super().__init__(parent)
        self.assistant, self.checklist, self.documents = assistant, checklist, documents

    def work(self) -> None:
        for cell in self.assistant.review(self.checklist, documents=self.documents, progress=self.progress.emit,
                                          cancel=self.cancel_event):
            self.cell.emit(cell)


class AnswerWorker(QObject):
    """Lives on its own QThread; answers one question at a time and emits its events there.
    `event` carries (request id, Sources | Token | Answer | Failure); Tokens are batched."""

    event = Signal(int, object)
    _requested = Signal(int, object, str, object, object, object)

    def __init__(self):
        super().__init__()
        self._requested.connect(self._answer)

    @Slot(int, object, str, object, object, object)
    def _answer(self, request_id: int, assistant, question: str, filters, history, cancel: threading.Event):
        if cancel.is_set():
            return
        pending, last_flush = [], time.monotonic()
        try:
            for event in assistant.ask(question, filters=filters, history=history, cancel=cancel):
                if isinstance(event, Token):
                    pending.append(event.text)
                    if time.monotonic() - last_flush >= TOKEN_BATCH_SECONDS:
                        self.event.emit(request_id, Token("".join(pending)))
                        pending, last_flush = [], time.monotonic()
                    continue
                if pending:
                    self.event.emit(request_id, Token("".join(pending)))
                    pending = []
                self.event.emit(request_id, event)
        except Exception as exc:  # noqa: BLE001 - the conversation shows it; the app goes on
            if not isinstance(exc, ClausewiseError):
                log.error("answering failed:\n%s", traceback.format_exc())
            self.event.emit(request_id, Failure(user_message(exc)))


class Answering(QObject):
    """The GUI side of the answer thread: `ask` cancels whatever is running and starts a new
    request; `event` re-emits only the current request's events."""

    event = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("clausewise-answers")
        self.worker = AnswerWorker()
        self.worker.moveToThread(self.thread)
        self.worker.event.connect(self._on_event)
        self.thread.start()
        self._request_id = 0
        self._cancel: threading.Event | None = None
        self.running = False
        self.closed = False

    def ask(self, assistant, question: str, filters=None, history=()):
        self.stop()
        self._request_id += 1
        self._cancel = threading.Event()
        self.running = True
        self.worker._requested.emit(self._request_id, assistant, question, filters, tuple(history), self._cancel)

    def stop(self):
        if self._cancel is not None:
            self._cancel.set()

    def _on_event(self, request_id: int, event):
        if request_id != self._request_id or self.closed:
            return  # a cancelled question's late events, or the window is closing
        if isinstance(event, (Answer, Failure)):
            self.running = False
        self.event.emit(event)

    def shutdown(self, msecs: int = 30_000):
        self.closed = True
        self.stop()
        self.thread.quit()
        self.thread.wait(msecs)
