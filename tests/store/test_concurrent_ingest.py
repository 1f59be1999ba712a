"""Several processes ingesting into one index, for real: two ingests into a new index and into an
existing one both index every file, and an ingest killed while another waits leaves an index
that the waiting one completes and that is consistent. Each process is a separate Python running
the real Assistant (with the hash embedder, slowed down so the two really overlap)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.store.writer_lock import WAITING
from assistant.testing import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]

INGEST = """
import json, sys, time
from pathlib import Path
from assistant.service import Assistant
from assistant.testing import HashEmbedder

class SlowEmbedder(HashEmbedder):
    def embed_documents(self, texts):
        if not self.calls:
            print("embedding", flush=True)  # it holds the writer lock now
        time.sleep(float(sys.argv[3]))
        return super().embed_documents(texts)

a = Assistant(Path(sys.argv[1]), embedder=SlowEmbedder())
reports = a.ingest([Path(p) for p in sys.argv[4:]], notify=lambda m: print(m, flush=True))
print(json.dumps({Path(r.path).name: r.status.value for r in reports}), flush=True)
a.close()
"""


def files(folder: Path, prefix: str, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(n):
        path = folder / f"{prefix}-{i}.txt"
        path.write_text(f"1. TERM\nAgreement {prefix} number {i} runs for {i + 1} years.\n"
                        f"2. LAW\nThe laws of country {prefix}{i} govern it.\n", encoding="utf-8")
        made.append(path)
    return made


def start(index: Path, paths, delay: float = 0.05) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", INGEST, str(index), "", str(delay), *map(str, paths)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process) -> tuple[list[str], dict]:
    """What it said (notices, not its own "embedding" mark) and each file's status."""
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    lines = out.strip().splitlines()
    return [line for line in lines[:-1] if line != "embedding"], json.loads(lines[-1])


def holding(process) -> subprocess.Popen:
    """`process`, once it has taken the writer lock and started embedding."""
    assert process.stdout.readline().strip() == "embedding"
    return process


def assert_consistent(index: Path, names: set[str]):
    a = Assistant(index, embedder=HashEmbedder())
    assert {d.name for d in a.documents()} == names
    counts = a.index.consistency()
    assert counts["chunks"] == counts["lexical"] and counts["vectors"] == counts["windows"]
    assert a.index.catalog.incomplete() == []
    a.close()


@pytest.mark.parametrize("existing", [False, True], ids=["new index", "existing index"])
def test_two_ingests_at_once_index_every_file(tmp_path, existing):
    index = tmp_path / "idx"
    if existing:
        Assistant(index, embedder=HashEmbedder()).ingest(files(tmp_path / "first", "old", 2))
    a_files, b_files = files(tmp_path / "a", "alpha", 6), files(tmp_path / "b", "beta", 6)
    a = holding(start(index, a_files, delay=1.0))  # the second starts (imports take seconds) while the first writes
    b = start(index, b_files)
    (a_heard, a_done), (b_heard, b_done) = finish(a), finish(b)
    assert set(a_done.values()) == {"ok"} and set(b_done.values()) == {"ok"}
    assert a_heard == [] and b_heard == [WAITING]  # the second waited, and said so
    expected = {p.name for p in a_files + b_files} | ({"old-0.txt", "old-1.txt"} if existing else set())
    assert_consistent(index, expected)


def test_an_ingest_killed_while_another_waits(tmp_path):
    index = tmp_path / "idx"
    victim = holding(start(index, files(tmp_path / "a", "alpha", 40), delay=0.3))
    time.sleep(1.0)  # part-way through
    waiter = start(index, files(tmp_path / "b", "beta", 3))
    assert waiter.stdout.readline().strip() == WAITING
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(30) == -signal.SIGKILL
    heard, done = finish(waiter)
    assert set(done.values()) == {"ok"}
    a = Assistant(index, embedder=HashEmbedder())
    names = {d.name for d in a.documents()}
    a.close()
    assert {"beta-0.txt", "beta-1.txt", "beta-2.txt"} <= names
    assert 0 < len(names - {"beta-0.txt", "beta-1.txt", "beta-2.txt"}) < 40  # the victim's completed files stay
    assert_consistent(index, names)


@pytest.mark.slow
def test_two_command_line_ingests_into_a_new_index(tmp_path):
    """The report: two `clausewise ingest` runs into the same new index at once; one crashed at
    the manifest and indexed nothing."""
    index = tmp_path / "new"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLAUSEWISE_HOME": str(tmp_path / "home")}
    runs = [subprocess.Popen([sys.executable, "-m", "assistant.cli", "--index", str(index), "ingest", str(folder)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for folder in (tmp_path / "a", tmp_path / "b")
            if files(folder, folder.name, 3)]
    results = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    assert all("Traceback" not in err for _, err in results)
    assert all("3 indexed, 0 unchanged, 0 failed" in out for out, _ in results)
    assert_consistent_names = {f"{p}-{i}.txt" for p in "ab" for i in range(3)}
    a = Assistant(index, embedder=HashEmbedder(dimension=384, name="sentence-transformers/all-MiniLM-L6-v2"))
    assert {d.name for d in a.documents()} == assert_consistent_names
    counts = a.index.consistency()
    assert counts["chunks"] == counts["lexical"] and counts["vectors"] == counts["windows"]
    a.close()
