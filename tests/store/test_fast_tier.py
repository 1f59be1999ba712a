"""Fast vectors first, MiniLM's in the background: a FAST document is searchable at once, the
upgrade gives it exactly the vectors a direct ingest would have, is cancellable between
documents, and a process killed mid-upgrade leaves an index that opens consistent and resumes."""

import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import EmbedderMismatch
from assistant.retrieval.dense import merge_tiers
from assistant.service import Assistant
from assistant.store.catalog import FAST, FULL, UPGRADING
from assistant.store.consistency import audit_index
from assistant.testing import HashEmbedder
from assistant.types import IngestStatus

ROOT = Path(__file__).resolve().parents[2]
TOPICS = ["governing law of the State of Delaware", "termination on ninety days notice",
          "insurance cover of five million dollars", "assignment needs prior written consent",
          "confidential information kept secret", "invoices payable within thirty days"]


def fast_embedder() -> HashEmbedder:
    return HashEmbedder(dimension=32, name="test/fast-hash")


def make_folder(folder: Path, count: int = 6) -> Path:
    folder.mkdir()
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        clauses = "\n".join(f"{n}. CLAUSE {n}\n{n}.1 Supplier {i} agrees on {topic} for lot {i * 100 + n}. " * 2
                            for n in range(1, 8))
        (folder / f"contract-{i}.txt").write_text(f"AGREEMENT {i} ON {topic.upper()}\n{clauses}\n")
    return folder


def tiered(index: Path) -> Assistant:
    return Assistant(index, embedder=HashEmbedder(), fast_embedder=fast_embedder())


def stored_vectors(assistant: Assistant) -> dict[str, np.ndarray]:
    got = assistant.index.vectors._collection.get(include=["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"])))


def audit(assistant: Assistant):
    index = assistant.index
    return audit_index(index.folder, index.catalog, index.vectors, assistant.embedder.name, assistant.embedder.dimension)


def test_a_fast_ingest_is_searchable_at_once_and_touches_no_chroma(tmp_path):
    assistant = tiered(tmp_path / "index")
    reports = assistant.ingest([make_folder(tmp_path / "docs")])
    assert [r.status for r in reports] == [IngestStatus.OK] * 6
    docs = assistant.documents()
    assert {assistant.index.catalog.tier_of(d.source_id) for d in docs} == {FAST}
    assert assistant.index.vectors.count() == 0
    counts = assistant.index.consistency()
    assert counts["fast_vectors"] == counts["fast_windows"] > 0 and counts["windows"] == 0
    hits = assistant.search("insurance cover of five million dollars", k=3)
    assert hits and hits[0].doc_name in ("contract-2.txt", "contract-8.txt")
    assert hits[0].dense_rank is not None  # found by the fast vectors, not only by BM25
    found = audit(assistant)
    assert found.consistent and found.documents == 6 and found.fast_documents == 6
    assistant.close()


def test_the_upgrade_writes_exactly_the_vectors_a_direct_ingest_does(tmp_path):
    folder = make_folder(tmp_path / "docs")
    direct = Assistant(tmp_path / "direct", embedder=HashEmbedder())
    direct.ingest([folder])
    upgraded = tiered(tmp_path / "tiered")
    upgraded.ingest([folder])
    result = upgraded.upgrade()
    assert (result.upgraded, result.remaining) == (6, 0)
    assert result.windows == direct.index.consistency()["windows"]
    want, got = stored_vectors(direct), stored_vectors(upgraded)
    assert want.keys() == got.keys()
    assert max(float(np.max(np.abs(want[k] - got[k]))) for k in want) < 1e-6
    counts = upgraded.index.consistency()
    assert counts["fast_vectors"] == 0 and counts["vectors"] == counts["windows"]
    assert upgraded.pending_upgrade() == []
    assert [h.chunk.chunk_id for h in upgraded.search("termination notice", k=5)] == \
           [h.chunk.chunk_id for h in direct.search("termination notice", k=5)]
    direct.close()
    upgraded.close()


def test_an_index_refuses_another_fast_or_full_embedder(tmp_path):
    assistant = tiered(tmp_path / "index")
    assistant.ingest([make_folder(tmp_path / "docs", 1)])
    assistant.close()
    assert "test/fast-hash" in (tmp_path / "index" / "manifest.json").read_text()
    with pytest.raises(EmbedderMismatch, match="fast"):
        Assistant(tmp_path / "index", embedder=HashEmbedder(),
                  fast_embedder=HashEmbedder(dimension=48, name="test/other-fast")).index
    with pytest.raises(EmbedderMismatch):
        Assistant(tmp_path / "index", embedder=HashEmbedder(name="test/other"), fast_embedder=fast_embedder()).index
    reopened = Assistant(tmp_path / "index", embedder=HashEmbedder())  # no fast embedder: opens, BM25 still finds
    assert reopened.search("governing law Delaware", k=1)
    reopened.close()


def test_search_spans_both_tiers_while_an_upgrade_runs(tmp_path):
    assistant = tiered(tmp_path / "index")
    assistant.ingest([make_folder(tmp_path / "docs")])
    seen = []

    def progress(p):
        if p.current:  # mid-upgrade: some documents FULL, the rest FAST, one UPGRADING
            hits = assistant.search("assignment needs prior written consent", k=10)
            seen.append({h.doc_name for h in hits if h.dense_rank is not None})

    assistant.upgrade(progress=progress)
    assert len(seen) == 6
    assert all("contract-3.txt" in names for names in seen)  # found by dense search in whichever tier it is
    assistant.close()


def test_merging_places_each_hit_by_its_estimated_rank_among_all_windows():
    full = [("f1", "a", 0.1), ("f2", "a", 0.2), ("f3", "a", 0.3), ("f4", "a", 0.4)]
    fast = [("s1", "b", 0.5), ("s2", "b", 0.6)]
    # 300 full windows, 100 fast: a fast rank r stands for rank 4r overall, a full rank for 4r/3
    merged = merge_tiers(full, 300, fast, 100, k=6)
    assert [h[0] for h in merged] == ["f1", "f2", "f3", "s1", "f4", "s2"]
    assert merge_tiers([], 0, fast, 100, k=1) == fast[:1]
    both = merge_tiers([("x", "a", 0.1)], 10, [("x", "a", 0.9)], 10, k=5)  # a chunk mid-upgrade, kept once
    assert both == [("x", "a", 0.1)]


def test_cancel_stops_between_documents_and_the_rest_resumes(tmp_path):
    assistant = tiered(tmp_path / "index")
    assistant.ingest([make_folder(tmp_path / "docs")])
    cancel = threading.Event()

    def progress(p):
        if p.done == 2:
            cancel.set()

    result = assistant.upgrade(progress=progress, cancel=cancel)
    assert (result.upgraded, result.remaining) == (2, 4)
    tiers = [assistant.index.catalog.tier_of(d.source_id) for d in assistant.documents()]
    assert tiers.count(FULL) == 2 and tiers.count(FAST) == 4
    assert audit(assistant).consistent
    assert assistant.upgrade().upgraded == 4 and assistant.pending_upgrade() == []
    assistant.close()


def test_removing_or_replacing_a_fast_document_drops_its_fast_vectors(tmp_path):
    folder = make_folder(tmp_path / "docs", 2)
    assistant = tiered(tmp_path / "index")
    assistant.ingest([folder])
    before = assistant.index.consistency()["fast_vectors"]
    assistant.remove("contract-0.txt")
    after = assistant.index.consistency()
    assert 0 < after["fast_vectors"] < before and after["fast_vectors"] == after["fast_windows"]
    (folder / "contract-1.txt").write_text("AGREEMENT\n1. PRICE\n1.1 The price is fixed for two years.\n")
    assistant.ingest([folder])
    counts = assistant.index.consistency()
    assert counts["documents"] == 2 and counts["fast_vectors"] == counts["fast_windows"]
    assert audit(assistant).consistent
    assistant.close()


CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from assistant.service import Assistant
    from assistant.store.catalog import Catalog
    from assistant.testing import HashEmbedder

    kill_at = int(sys.argv[1])
    marked = 0
    original = Catalog.mark_full

    def mark_full(self, source_id):
        global marked
        marked += 1
        if marked == kill_at:
            # MiniLM's vectors are in Chroma, the fast ones not yet dropped: the worst moment
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, source_id)

    Catalog.mark_full = mark_full
    Assistant({index!r}, embedder=HashEmbedder(), fast_embedder=HashEmbedder(32, "test/fast-hash")).upgrade()
    print("finished", flush=True)
""")


def test_a_kill_mid_upgrade_leaves_a_consistent_index_that_resumes(tmp_path):
    folder = make_folder(tmp_path / "docs")
    index = tmp_path / "index"
    assistant = tiered(index)
    assistant.ingest([folder])
    assistant.close()
    child = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), index=str(index)), "3"],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL and "finished" not in child.stdout

    reopened = tiered(index)  # opening undoes the half-done upgrade
    catalog = reopened.index.catalog
    tiers = [catalog.tier_of(d.source_id) for d in reopened.documents()]
    assert tiers.count(FULL) == 2 and tiers.count(FAST) == 4 and UPGRADING not in tiers
    counts = reopened.index.consistency()
    assert counts["vectors"] == counts["windows"] and counts["fast_vectors"] == counts["fast_windows"]
    assert audit(reopened).consistent
    assert reopened.search("invoices payable within thirty days", k=3)
    assert reopened.upgrade().upgraded == 4
    direct = Assistant(tmp_path / "direct", embedder=HashEmbedder())
    direct.ingest([folder])
    assert stored_vectors(reopened).keys() == stored_vectors(direct).keys()
    reopened.close()
    direct.close()


def test_a_document_left_upgrading_counts_as_work_in_progress_not_damage(tmp_path):
    assistant = tiered(tmp_path / "index")
    assistant.ingest([make_folder(tmp_path / "docs", 2)])
    first = assistant.pending_upgrade()[0]
    assistant.index.catalog.set_tier(first, UPGRADING)  # as another process upgrading it now would
    assistant.index.vectors.add([f"{assistant.index.catalog.chunk_ids(first)[0]}#0"], np.ones((1, 64), np.float32),
                                [{"source_id": first, "doc_type": "txt", "chunk_id": "x"}])
    found = audit(assistant)
    assert found.consistent and found.fast_documents == 2
    assert assistant.search("governing law Delaware", k=3)  # its fast vectors still serve
    assistant.close()
