"""The audit log: every action recorded, the hash chain catching a changed, removed or reordered
entry, sealed lines in an encrypted collection, and appends from several processes at once."""

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.store.audit_log import AUDIT_LOG_NAME, AuditLog
from assistant.store.encryption import CollectionKey, create_keyring
from assistant.testing import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]


def filled_log(folder: Path, key: bytes | None = None, n: int = 5) -> AuditLog:
    log = AuditLog(folder, key)
    for i in range(1, n + 1):
        log.record("question", question=f"question number {i}", cited=[f"doc{i}.pdf p. {i}"])
    return log


def lines(folder: Path) -> list[str]:
    return (folder / AUDIT_LOG_NAME).read_text(encoding="utf-8").splitlines()


def rewrite(folder: Path, new_lines: list[str]) -> None:
    (folder / AUDIT_LOG_NAME).write_text("\n".join(new_lines) + "\n", encoding="utf-8")


def test_an_untouched_log_verifies_and_names_its_newest_hash(tmp_path):
    log = filled_log(tmp_path)
    verdict = log.verify()
    assert verdict.intact and verdict.entries == 5
    assert verdict.message == f"intact: 5 entries, newest hash {log.entries()[-1].hash}"
    assert [e.seq for e in log.entries()] == [1, 2, 3, 4, 5]
    assert log.entries()[0].details == {"question": "question number 1", "cited": ["doc1.pdf p. 1"]}


def test_a_changed_entry_is_named(tmp_path):
    log = filled_log(tmp_path)
    text = lines(tmp_path)
    record = json.loads(text[2])
    record["details"]["question"] = "a question nobody asked"
    text[2] = json.dumps(record)
    rewrite(tmp_path, text)
    verdict = log.verify()
    assert not verdict.intact and verdict.first_bad == 3
    assert verdict.message == "entry 3 (line 3) was changed after it was written"


def test_a_changed_entry_with_its_hash_recomputed_still_breaks_the_chain(tmp_path):
    """Whoever edits an entry and recomputes its hash breaks the next entry's link instead."""
    import hashlib

    log = filled_log(tmp_path)
    text = lines(tmp_path)
    record = json.loads(text[1])
    record["details"]["question"] = "edited"
    body = {k: record[k] for k in ("seq", "time", "user", "action", "details", "prev")}
    record["hash"] = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    text[1] = json.dumps(record)
    rewrite(tmp_path, text)
    verdict = log.verify()
    assert not verdict.intact and verdict.message == "entry 3 (line 3) does not follow the entry before it"


def test_a_removed_entry_is_named(tmp_path):
    log = filled_log(tmp_path)
    text = lines(tmp_path)
    rewrite(tmp_path, text[:1] + text[2:])
    verdict = log.verify()
    assert not verdict.intact and verdict.first_bad == 2
    assert verdict.message == "entry 2 removed: line 2 holds entry 3"


def test_two_reordered_entries_are_named(tmp_path):
    log = filled_log(tmp_path)
    text = lines(tmp_path)
    text[1], text[2] = text[2], text[1]
    rewrite(tmp_path, text)
    verdict = log.verify()
    assert not verdict.intact and verdict.first_bad == 2
    assert verdict.message == "entry 2 removed: line 2 holds entry 3"
    # Swapping only the numbers (to hide the move) breaks the hashes instead.
    text = lines(tmp_path)
    a, b = json.loads(text[1]), json.loads(text[2])
    a["seq"], b["seq"] = b["seq"], a["seq"]
    rewrite(tmp_path, [text[0], json.dumps(a), json.dumps(b), *text[3:]])
    assert log.verify().message == "entry 2 (line 2) was changed after it was written"


def test_a_line_edited_into_nonsense_is_named_and_logging_goes_on(tmp_path):
    log = filled_log(tmp_path)
    text = lines(tmp_path)
    text[4] = "{ this is not json"
    rewrite(tmp_path, text)
    verdict = log.verify()
    assert not verdict.intact and verdict.message.startswith("line 5 is not a readable log entry")
    log.record("search", query="after the damage")
    assert lines(tmp_path)[-1].startswith("{") and log.entries()[-1].seq == 6
    assert log.verify().first_bad == 5


def test_an_encrypted_collections_log_is_sealed_and_still_verifiable(tmp_path):
    key = CollectionKey(os.urandom(32)).for_purpose("audit log")
    log = filled_log(tmp_path, key)
    raw = (tmp_path / AUDIT_LOG_NAME).read_bytes()
    assert b"question number" not in raw and b"doc1.pdf" not in raw
    assert log.verify().intact and log.entries()[2].details["question"] == "question number 3"
    assert not AuditLog(tmp_path, os.urandom(32)).verify().intact  # another key reads nothing
    text = lines(tmp_path)
    sealed = json.loads(text[1])["sealed"]
    text[1] = json.dumps({"sealed": sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]})
    rewrite(tmp_path, text)
    verdict = log.verify()
    assert not verdict.intact and verdict.first_bad == 2 and "does not decrypt" in verdict.message


def _append_many(folder: str, n: int):
    log = AuditLog(Path(folder))
    for i in range(n):
        log.record("search", query=f"{os.getpid()} {i}")


def test_processes_appending_at_once_keep_one_unbroken_chain(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(tmp_path), 25)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    verdict = AuditLog(tmp_path).verify()
    assert verdict.intact and verdict.entries == 75


def test_csv_export_has_one_row_per_entry(tmp_path):
    import csv

    log = filled_log(tmp_path, n=3)
    log.write_csv(tmp_path / "audit.csv")
    rows = list(csv.reader(open(tmp_path / "audit.csv", encoding="utf-8")))
    assert rows[0] == ["entry", "time", "user", "action", "details", "hash"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[2][4] == "question: question number 2; cited: doc2.pdf p. 2"


def test_every_action_of_an_assistant_is_recorded(tmp_path):
    from assistant.testing import ScriptedGenerator

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "supply.txt").write_text("1. TERM\nThis agreement runs for three years from signature.\n")
    (tmp_path / "docs" / "other.txt").write_text("1. LAW\nThe laws of Sweden govern this agreement.\n")
    a = Assistant(tmp_path / "idx", embedder=HashEmbedder(), generator=ScriptedGenerator())
    a.ingest([tmp_path / "docs"])
    a.search("how long does the agreement run")
    list(a.ask("How long does the agreement run?"))
    a.remove("other.txt")
    a.record_export(tmp_path / "review.xlsx", "review 'Key terms'")
    entries = a.audit_log.entries()
    assert [e.action for e in entries] == ["ingest", "search", "question", "remove", "export"]
    ingest, search, question, remove, export = entries
    assert sorted(n.split(" ")[0] for n in ingest.details["indexed"]) == ["other.txt", "supply.txt"]
    assert search.details["query"] == "how long does the agreement run"
    assert question.details["question"] == "How long does the agreement run?"
    assert set(question.details) == {"question", "answered", "cited"}
    assert remove.details["removed"][0].startswith("other.txt (")
    assert export.details == {"what": "review 'Key terms'", "file": str((tmp_path / "review.xlsx").resolve())}
    assert all(e.user for e in entries) and entries == sorted(entries, key=lambda e: e.time)
    a.close()


def cli(tmp_path, *argv):
    env = {**os.environ, "CLAUSEWISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_audit_verify_exits_0_on_an_intact_log_and_1_naming_the_first_bad_entry(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    filled_log(folder)
    shown = cli(tmp_path, "--index", str(folder), "audit")
    assert shown.returncode == 0 and shown.stdout.count("question number") == 5
    ok = cli(tmp_path, "--index", str(folder), "audit", "--verify")
    assert ok.returncode == 0 and ok.stdout.startswith("audit log intact: 5 entries")
    text = lines(folder)
    rewrite(folder, text[:3] + text[4:])
    bad = cli(tmp_path, "--index", str(folder), "audit", "--verify")
    assert bad.returncode == 1 and "entry 4 removed" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "encrypted"])
def test_entries_cut_off_at_the_end_are_named(tmp_path, sealed):
    key = os.urandom(32) if sealed else None
    log = filled_log(tmp_path, key)
    rewrite(tmp_path, lines(tmp_path)[:-1])
    verdict = log.verify()
    assert not verdict.intact and verdict.message == "entry 5 removed from the end: the log was written up to entry 5"
    rewrite(tmp_path, lines(tmp_path)[:-2])
    assert log.verify().message == "entries 3–5 removed from the end: the log was written up to entry 5"


def test_a_missing_head_record_is_named(tmp_path):
    from assistant.store.audit_log import AUDIT_HEAD_NAME

    log = filled_log(tmp_path)
    (tmp_path / AUDIT_HEAD_NAME).unlink()
    verdict = log.verify()
    assert not verdict.intact and "head record (audit.head) is missing" in verdict.message
    assert AuditLog(tmp_path / "empty").verify().intact  # a collection with no log yet is fine
