"""The audit log: who did what to a collection, as an append-only, hash-chained file inside it
(`audit.jsonl`, one entry per line).

Each entry holds its number, the time, the user, the action and its details, the hash of the
entry before it and its own hash (SHA-256 over all of that). Changing an entry breaks its hash;
removing one leaves a gap in the numbers and breaks the next entry's link; reordering breaks the
numbering and the links. `verify` names the first entry that does not hold. A chain alone cannot
show entries cut off at the end, so each append also records the newest entry's number and hash
in `audit.head`: a log that ends before it was cut. (Whoever edits both files consistently is
caught only in an encrypted collection, where the head is sealed too; `verify` prints the newest
hash, so whoever must be sure can also note it down and compare later.)

In an encrypted collection each line is sealed with AES-GCM under the log's own key, so the
questions and document names it records are as protected as the documents. Appends from several
processes are serialised by a lock on the file.
"""

from __future__ import annotations

import base64
import csv
import fcntl
import getpass
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AUDIT_LOG_NAME = "audit.jsonl"
AUDIT_HEAD_NAME = "audit.head"
GENESIS = "0" * 64  # the link of the first entry


@dataclass(frozen=True)
class Entry:
    seq: int
    time: float
    user: str
    action: str
    details: dict = field(default_factory=dict)
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> dict:
        return {"seq": self.seq, "time": self.time, "user": self.user, "action": self.action,
                "details": self.details, "prev": self.prev}

    def computed_hash(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))

    def summary(self) -> str:
        """The details in one readable line: `question: "…"; cited: a.pdf p. 3`."""
        parts = []
        for name, value in self.details.items():
            if isinstance(value, (list, tuple)):
                value = ", ".join(map(str, value)) or "none"
            parts.append(f"{name}: {value}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    message: str  # "intact: 12 entries, newest hash …", or what is wrong and where
    first_bad: int | None = None  # the line (1-based) of the first entry that does not hold


class AuditLog:
    def __init__(self, folder: Path, key: bytes | None = None):
        """`key`: the log's key in an encrypted collection; lines are then sealed."""
        self.path = Path(folder) / AUDIT_LOG_NAME
        self.head_path = Path(folder) / AUDIT_HEAD_NAME
        self._aead = AESGCM(key) if key else None

    def record(self, action: str, **details) -> Entry:
        """Append one entry, linked to the newest one, under an exclusive lock on the file."""
        with open(self.path, "a+b") as log:
            fcntl.flock(log.fileno(), fcntl.LOCK_EX)
            try:
                try:
                    last = self._last_entry(log)
                except ValueError:  # a damaged newest line: keep logging; `verify` reports the damage
                    last = Entry(seq=self._count(log), time=0, user="", action="", hash="(unreadable)")
                entry = Entry(seq=last.seq + 1 if last else 1, time=round(time.time(), 3), user=_user(),
                              action=action, details=_plain(details), prev=last.hash if last else GENESIS)
                entry = Entry(**{**entry.body(), "hash": entry.computed_hash()})
                log.seek(0, os.SEEK_END)
                log.write(self._line(entry).encode("utf-8") + b"\n")
                log.flush()
                os.fsync(log.fileno())
                self._write_head(entry)
            finally:
                fcntl.flock(log.fileno(), fcntl.LOCK_UN)
        return entry

    def entries(self) -> list[Entry]:
        """Every entry that can be read, oldest first (a damaged line is skipped here; `verify`
        reports it)."""
        found = []
        for _, text in self._lines():
            try:
                found.append(self._parse(text))
            except ValueError:
                continue
        return found

    def verify(self) -> Verdict:
        expected_seq, prev_hash, count = 1, GENESIS, 0
        for number, text in self._lines():
            try:
                entry = self._parse(text)
            except ValueError as exc:
                return Verdict(False, count, f"line {number} is not a readable log entry ({exc}): edited by hand or damaged", number)
            if entry.computed_hash() != entry.hash:
                return Verdict(False, count, f"entry {entry.seq} (line {number}) was changed after it was written", number)
            if entry.seq > expected_seq:
                missing = f"entry {expected_seq}" if entry.seq == expected_seq + 1 else f"entries {expected_seq}–{entry.seq - 1}"
                return Verdict(False, count, f"{missing} removed: line {number} holds entry {entry.seq}", number)
            if entry.seq < expected_seq:
                return Verdict(False, count, f"entries out of order: line {number} holds entry {entry.seq}, "
                                             f"expected {expected_seq}", number)
            if entry.prev != prev_hash:
                return Verdict(False, count, f"entry {entry.seq} (line {number}) does not follow the entry before it", number)
            expected_seq, prev_hash, count = entry.seq + 1, entry.hash, count + 1
        head = self._read_head()
        if head is None and count:
            return Verdict(False, count, f"its head record ({AUDIT_HEAD_NAME}) is missing or unreadable, so entries "
                                         "cut off at the end cannot be ruled out", None)
        if head is not None and head["seq"] > count:
            missing = f"entry {head['seq']}" if head["seq"] == count + 1 else f"entries {count + 1}–{head['seq']}"
            return Verdict(False, count, f"{missing} removed from the end: the log was written up to entry {head['seq']}", None)
        if head is not None and (head["seq"] != count or head["hash"] != prev_hash):
            return Verdict(False, count, f"entry {count} does not match the newest entry that was written", None)
        return Verdict(True, count, f"intact: {count} {'entry' if count == 1 else 'entries'}, newest hash {prev_hash}")

    def _write_head(self, entry: Entry) -> None:
        """The newest entry's number and hash, replaced whole (atomically) after each append."""
        text = json.dumps({"seq": entry.seq, "hash": entry.hash})
        if self._aead is not None:
            nonce = secrets.token_bytes(12)
            text = json.dumps({"sealed": base64.b64encode(nonce + self._aead.encrypt(nonce, text.encode(), b"head")).decode()})
        tmp = self.head_path.with_name(f".{AUDIT_HEAD_NAME}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.head_path)

    def _read_head(self) -> dict | None:
        try:
            record = json.loads(self.head_path.read_text(encoding="utf-8"))
            if self._aead is not None:
                blob = base64.b64decode(record["sealed"])
                record = json.loads(self._aead.decrypt(blob[:12], blob[12:], b"head"))
            return {"seq": int(record["seq"]), "hash": str(record["hash"])}
        except (OSError, ValueError, KeyError, TypeError, InvalidTag):
            return None

    def write_csv(self, path: Path, entries: Sequence[Entry] | None = None) -> None:
        rows = self.entries() if entries is None else entries
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["entry", "time", "user", "action", "details", "hash"])
            for e in rows:
                writer.writerow([e.seq, e.when, e.user, e.action, e.summary(), e.hash])

    # --- lines -----------------------------------------------------------------------------

    def _lines(self) -> Iterable[tuple[int, str]]:
        if not self.path.exists():
            return
        with open(self.path, "rb") as log:
            for number, raw in enumerate(log, start=1):
                text = raw.decode("utf-8", errors="replace").strip()
                if text:
                    yield number, text

    def _last_entry(self, log) -> Entry | None:
        """The newest entry, read from the end of the open file (a log grows long)."""
        log.seek(0, os.SEEK_END)
        size = log.tell()
        chunk = 4096
        while True:
            start = max(0, size - chunk)
            log.seek(start)
            tail = log.read(size - start).rstrip(b"\n")
            if b"\n" in tail or start == 0:
                break
            chunk *= 4
        if not tail:
            return None
        return self._parse(tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace"))

    @staticmethod
    def _count(log) -> int:
        log.seek(0)
        return sum(1 for raw in log if raw.strip())

    def _line(self, entry: Entry) -> str:
        record = {**entry.body(), "hash": entry.hash}
        text = json.dumps(record, ensure_ascii=False)  # details in the order written; the hash is over sorted keys
        if self._aead is None:
            return text
        nonce = secrets.token_bytes(12)
        return json.dumps({"sealed": base64.b64encode(nonce + self._aead.encrypt(nonce, text.encode("utf-8"), None)).decode()})

    def _parse(self, text: str) -> Entry:
        try:
            record = json.loads(text)
            if self._aead is not None:
                if "sealed" not in record:
                    raise ValueError("an unsealed line in an encrypted log")
                blob = base64.b64decode(record["sealed"])
                record = json.loads(self._aead.decrypt(blob[:12], blob[12:], None))
            return Entry(seq=int(record["seq"]), time=float(record["time"]), user=str(record["user"]),
                         action=str(record["action"]), details=dict(record["details"]),
                         prev=str(record["prev"]), hash=str(record["hash"]))
        except InvalidTag:
            raise ValueError("it does not decrypt with this collection's key") from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"missing {exc}") from None
        except ValueError as exc:  # json's and int()'s
            raise ValueError(str(exc).split(":")[0]) from None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container): the uid still says who
        return f"uid {os.getuid()}"


def _plain(details: dict) -> dict:
    """Details as JSON values: tuples become lists, paths strings."""
    return json.loads(json.dumps(details, default=str))
