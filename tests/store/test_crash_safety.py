"""A process killed with SIGKILL in the middle of ingesting a folder leaves an index that opens,
holds no half-ingested document, and is completed by the next ingest without duplicates."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.testing import HashEmbedder
from assistant.types import IngestStatus

ROOT = Path(__file__).resolve().parents[2]
DOCS = 40


def make_folder(folder: Path) -> Path:
    folder.mkdir()
    for i in range(DOCS):
        clauses = "\n".join(
            f"{n}. CLAUSE {n}\n{n}.1 Supplier {i} shall perform obligation {n} for lot {i * 100 + n}. " * 3
            for n in range(1, 30)
        )
        (folder / f"contract-{i:02d}.txt").write_text(f"AGREEMENT {i}\n{clauses}\n")
    return folder


CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from assistant.service import Assistant
    from assistant.store.catalog import Catalog
    from assistant.testing import HashEmbedder

    kill_at = int(sys.argv[1])  # kill inside the n-th document's final write; 0: run until killed
    completed = 0
    original = Catalog.complete

    def complete(self, *args, **kwargs):
        global completed
        completed += 1
        if completed == kill_at:
            # the vectors are in Chroma, the chunks and lexical entries are not: the worst moment
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, *args, **kwargs)

    Catalog.complete = complete

    def progress(p, report):
        if report is not None:
            print("done", p.done, flush=True)

    Assistant({index!r}, embedder=HashEmbedder()).ingest([{folder!r}], progress=progress)
    print("finished", flush=True)
""")


def run_child(index: Path, folder: Path, kill_at: int) -> subprocess.Popen:
    script = CHILD.format(root=str(ROOT), index=str(index), folder=str(folder))
    return subprocess.Popen([sys.executable, "-c", script, str(kill_at)], stdout=subprocess.PIPE, text=True)


def assert_consistent(index: Path) -> int:
    assistant = Assistant(index, embedder=HashEmbedder())
    try:
        counts = assistant.index.consistency()
        docs = assistant.documents()
        assert counts["chunks"] == counts["lexical"] == sum(d.chunks for d in docs), counts
        assert counts["vectors"] == counts["windows"], counts
        assert counts["documents"] == len(docs)  # nothing pending or half-removed remains
        for doc in docs:  # every document is wholly in: all its vectors and all its chunks
            assert assistant.index.vectors.count(doc.source_id) == assistant.index.catalog.vector_count(doc.source_id) > 0
            assert len(assistant.index.catalog.chunk_ids(doc.source_id)) == doc.chunks
        return len(docs)
    finally:
        assistant.close()


def complete_and_check(index: Path, folder: Path):
    assistant = Assistant(index, embedder=HashEmbedder())
    reports = assistant.ingest([folder])
    assistant.close()
    assert all(r.status in (IngestStatus.OK, IngestStatus.SKIPPED) for r in reports)
    assert assert_consistent(index) == DOCS


def test_kill_between_vector_write_and_catalog_commit(tmp_path):
    folder = make_folder(tmp_path / "docs")
    index = tmp_path / "index"
    child = run_child(index, folder, kill_at=5)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert "finished" not in out
    assert assert_consistent(index) == 4  # four documents wholly in, the fifth wholly out
    complete_and_check(index, folder)


@pytest.mark.parametrize("after", [3, 11])
def test_kill_at_an_arbitrary_moment(tmp_path, after):
    folder = make_folder(tmp_path / "docs")
    index = tmp_path / "index"
    child = run_child(index, folder, kill_at=0)
    seen = 0
    for line in child.stdout:
        if line.startswith("done"):
            seen += 1
            if seen == after:
                time.sleep(0.002 * after)  # land somewhere inside a later document
                child.send_signal(signal.SIGKILL)
                break
    child.wait(timeout=60)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    survivors = assert_consistent(index)
    assert after <= survivors < DOCS
    complete_and_check(index, folder)
