"""An object that lives in a child process, called through a pipe. The desktop app's helper.

Some of our dependencies hold Python's GIL for hundreds of milliseconds at a time: torch's import
and tokenising (the embedder), Chroma's Rust core while it adds vectors and persists its graph. A
GUI thread that cannot get the GIL is a frozen window. In a child process they hold the child's GIL
instead; the app's process only pickles arguments down a pipe and waits for the reply, and waiting
on a pipe releases the GIL.

Calls are serialised (one request in flight per child). A child that died is started again on the
next call. The CLI and most tests use the objects in process.

A call that raised in the child comes back as "Type: message" (what the user may see) and the
child's traceback, which the parent logs: the cause of a failure stays findable in the app's log.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import threading
import traceback
from typing import Any, Callable, Sequence

logger = logging.getLogger(__name__)

STOPPED = "the process stopped unexpectedly"


class ChildFailed(RuntimeError):
    """The child stopped, or a call raised; the message says which. `child_traceback`: the
    child's traceback text, when it raised."""

    def __init__(self, message: str, child_traceback: str = ""):
        super().__init__(message)
        self.child_traceback = child_traceback


class ChildNotStarted(ChildFailed):
    """The child could not build its object (a missing package, a bad folder)."""


def _build(factory: str, args: Sequence[Any]):
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


def _failure(exc: Exception) -> tuple[str, str, str]:
    """A reply for the parent: the short message, and the traceback to log (called in an except block)."""
    return "error", f"{type(exc).__name__}: {exc}", traceback.format_exc()


def _serve(conn, factory: str, args: Sequence[Any], attributes: Sequence[str]):
    """The child: build the object, report the attributes asked for, then answer
    (method, args) requests until the pipe closes or a None arrives."""
    if hasattr(os, "nice"):
        os.nice(5)  # background work: on a 2-core laptop the window's process must win the CPU
    try:
        served = _build(factory, args)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as the first reply
        conn.send(_failure(exc))
        return
    conn.send(("ready", {name: getattr(served, name) for name in attributes}))
    if hasattr(served, "report"):  # the object may say how far a long call has got, on the way
        served.report = lambda *values: conn.send(("progress", values, ""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            request = None
        if request is None:
            if hasattr(served, "close"):
                served.close()
            return
        method, call_args = request
        try:
            reply = ("ok", getattr(served, method)(*call_args))
        except Exception as exc:  # noqa: BLE001 - the parent raises it, and logs the traceback
            reply = _failure(exc)
        try:
            conn.send(reply)
        except OSError:  # the parent has gone (killed, or closed mid-call): nobody to answer
            return


class ChildProcess:
    """`call(method, *args)` runs `factory(*args).method(*args)` in a child process started on
    first use. `on_ready` sees the child's `attributes` after each start and may refuse them."""

    def __init__(self, factory: str, args: Sequence[Any] = (), name: str = "clausewise-child",
                 attributes: Sequence[str] = (), on_ready: Callable[[dict], None] | None = None):
        self.factory, self.args, self.name = factory, tuple(args), name
        self.attributes, self.on_ready = tuple(attributes), on_ready
        self._lock = threading.Lock()
        self._conn = None
        self._process = None

    def _start(self):
        context = multiprocessing.get_context("spawn")  # fork would copy Qt's threads and state
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.factory, self.args, self.attributes),
                                  name=self.name, daemon=True)
        process.start()
        child.close()
        kind, value, child_traceback = self._receive(parent)
        if kind != "ready":
            process.join(5)
            self._log_failure("start", value, child_traceback)
            raise ChildNotStarted(value, child_traceback)
        if self.on_ready is not None:
            try:
                self.on_ready(value)
            except Exception:
                process.terminate()
                raise
        self._conn, self._process = parent, process

    @staticmethod
    def _receive(conn) -> tuple[str, Any, str]:
        """(kind, value, the child's traceback or "")."""
        try:
            kind, value, *child_traceback = conn.recv()
        except (EOFError, OSError):
            return "error", STOPPED, ""
        return kind, value, "".join(child_traceback)

    def _log_failure(self, method: str, message: str, child_traceback: str):
        if child_traceback:
            logger.error("%s (%s) raised in its child process: %s\n%s", self.factory, method, message,
                         child_traceback.rstrip())
        else:  # no traceback: the child stopped (killed, crashed, or terminated at shutdown)
            logger.warning("%s (%s) failed: %s", self.factory, method, message)

    def _discard(self):
        """Forget a child whose pipe broke. Its pipe closes a moment before the process is
        reaped, so `is_alive()` can still say yes; the next call must start a new one regardless."""
        process, self._process = self._process, None
        if process.is_alive():
            process.kill()
        process.join(5)
        self._conn.close()

    def call(self, method: str, *args, on_progress: Callable[..., None] | None = None):
        """`on_progress` hears what the child's object `report`s while the call runs."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._process = None
                self._start()
            try:
                self._conn.send((method, args))
            except OSError:
                kind, value, child_traceback = "error", STOPPED, ""
            else:
                kind, value, child_traceback = self._receive(self._conn)
                while kind == "progress":
                    if on_progress is not None:
                        try:
                            on_progress(*value)
                        except BaseException:  # the caller gives up on this call (a cancel):
                            self._discard()  # the child is still at work on it, so it goes
                            raise
                    kind, value, child_traceback = self._receive(self._conn)
            if kind == "error" and value == STOPPED:
                self._discard()
        if kind != "ok":
            self._log_failure(method, value, child_traceback)
            raise ChildFailed(value, child_traceback)
        return value

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def terminate(self):
        """Stop the child now, without waiting for a running call (closing the app mid-document):
        that call fails, and the caller's crash-safe ordering leaves nothing half-stored."""
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()

    def close(self, timeout: float = 5.0):
        """Ask the child to close its object and exit; terminate it if it does not."""
        with self._lock:
            if self._process is None:
                return
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout)
            self._conn.close()
            self._conn = self._process = None
