"""The in-memory BM25 scorer (assistant/store/lexical.py) against FTS5's own `bm25()`: the same
passages in the same order (equal scores aside) and the same scores, on the dev corpus and within
documents, and still so after documents are added and removed by this connection or another."""

import json
from itertools import groupby

import numpy as np
import pytest

from assistant.service import Assistant
from assistant.store.catalog import Catalog
from assistant.store.encryption import create_keyring
from assistant.store.lexical import fts5_search, phrase_postings, varints
from assistant.testing import HashEmbedder
from assistant.text import content_words
from assistant.types import DocumentState
from tests.conftest import EVAL_CORPUS, SHARED, needs_shared


def assert_same_ranking(got, expected):
    """Same scores within 1e-6 relative, and the same passages at each score (in any order
    among equal scores; the cut at the limit may take different ones of a tie)."""
    assert len(got) == len(expected)
    assert np.allclose([s for *_, s in got], [s for *_, s in expected], rtol=1e-6, atol=0)
    groups = lambda rows: [(score, {r[:2] for r in tied}) for score, tied in groupby(rows, key=lambda r: round(r[2], 9))]
    got_groups, expected_groups = groups(got), groups(expected)
    assert [g[1] for g in got_groups[:-1]] == [g[1] for g in expected_groups[:-1]]
    if got_groups:
        assert len(got_groups[-1][1]) == len(expected_groups[-1][1])


def searches_agree(catalog: Catalog, question: str, limit: int = 50, source_ids=None) -> list:
    got = catalog.lexical_search(question, limit, source_ids=source_ids)
    with catalog._lock:
        expected = fts5_search(catalog._db, content_words(question), limit, source_ids)
    assert_same_ranking(got, expected)
    return got


@pytest.fixture(scope="module")
def dev_collection(tmp_path_factory):
    a = Assistant(tmp_path_factory.mktemp("lexical") / "index", embedder=HashEmbedder())
    a.ingest(sorted(EVAL_CORPUS.iterdir()))
    yield a
    a.close()


@needs_shared
def test_dev_questions_rank_and_score_as_fts5_does(dev_collection):
    catalog = dev_collection.index.catalog
    questions = [json.loads(line)["question"] for line in (SHARED / "eval" / "dev.jsonl").open()]
    worst, exact = 0.0, 0
    for question in questions:
        got = searches_agree(catalog, question)
        with catalog._lock:
            expected = fts5_search(catalog._db, content_words(question), 50)
        worst = max([worst] + [abs(g[2] - e[2]) / abs(e[2]) for g, e in zip(got, expected)])
        exact += [g[:2] for g in got] == [e[:2] for e in expected]
        assert got, question
    # Same formula, same order of operations: the scores are FTS5's to the last bit, and equal
    # scores go by rowid as FTS5's ORDER BY leaves them.
    assert worst == 0.0 and exact == len(questions)


@needs_shared
def test_searches_within_documents_rank_and_score_as_fts5_does(dev_collection):
    catalog = dev_collection.index.catalog
    docs = [d.source_id for d in dev_collection.documents()]
    for i, question in enumerate(json.loads(line)["question"] for line in (SHARED / "eval" / "dev.jsonl").open()):
        scope = [docs[i % len(docs)]] if i % 2 else [docs[i % len(docs)], docs[(i * 7 + 3) % len(docs)]]
        got = searches_agree(catalog, question, 20, scope)
        assert {row[1] for row in got} <= set(scope)
    assert catalog.lexical_search("termination", 10, source_ids=[]) == []
    assert catalog.lexical_search("termination", 10, source_ids=["no such document"]) == []


@needs_shared
def test_limits_and_queries_with_no_match(dev_collection):
    catalog = dev_collection.index.catalog
    for question, limit in [("termination for convenience", 1), ("termination for convenience", 3),
                            ("agreement party", 500), ("zzyzx qwertyuiop", 10), ("the of and", 10)]:
        got = searches_agree(catalog, question, limit)
        assert len(got) <= limit
    assert catalog.lexical_search("zzyzx qwertyuiop", 10) == [] and catalog.lexical_search("the of", 10) == []


def write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


CONTRACTS = {
    "a.txt": "1. TERM\nThe term is three years.\n2. LAW\nThe laws of Ireland govern this agreement.\n"
             "3. NOTICE\nNotices of termination are given in writing, by e_mail or post.\n",
    "b.txt": "1. FEES\nThe supplier invoices monthly; payment is due in thirty days.\n"
             "2. TERMINATION\nEither party may terminate for material breach after thirty days' notice.\n",
    "c.txt": "1. CAFÉ SERVICES\nThe café opens at eight. Terminations of the café lease need the landlord's consent.\n",
}
QUESTIONS = ["termination notice", "thirty days payment", "laws governing the agreement", "e_mail notices",
             "cafe terminations", "café", "landlord consent lease"]


def test_stays_current_as_documents_are_added_and_removed(assistant, tmp_path):
    docs = tmp_path / "docs"
    assistant.ingest([write(docs, n, t) for n, t in list(CONTRACTS.items())[:2]])
    catalog = assistant.index.catalog
    for q in QUESTIONS:
        searches_agree(catalog, q)  # fills the cache with every question's words
    assistant.ingest([write(docs, "c.txt", CONTRACTS["c.txt"])])
    assert {r[1] for r in searches_agree(catalog, "café")} == {catalog.document_at(str(docs / "c.txt"))[0]}
    for q in QUESTIONS:
        searches_agree(catalog, q)
    # The removed document's rows are the last, so the next one added takes the same rowids.
    rowids = lambda: [r[0] for r in catalog._db.execute("SELECT id FROM chunks ORDER BY id")]
    before = rowids()
    assistant.remove("c.txt")
    assistant.ingest([write(docs, "d.txt", CONTRACTS["b.txt"].replace("thirty", "sixty") + "3. LAW\nIreland.\n")])
    assert rowids()[: len(before)] == before
    for q in QUESTIONS + ["sixty days", "laws of ireland"]:
        searches_agree(catalog, q)
    assert not catalog.lexical_search("café", 10)
    assistant.remove("b.txt")
    for q in QUESTIONS:
        searches_agree(catalog, q)
    # A document being removed drops out of the results at once; the statistics still count it.
    removing = catalog.document_at(str(docs / "d.txt"))[0]
    catalog.mark_removing(removing)
    assert removing not in {r[1] for r in searches_agree(catalog, "sixty days termination")}


def test_an_empty_collection_finds_nothing_until_a_document_is_added(assistant, tmp_path):
    catalog = assistant.index.catalog
    assert searches_agree(catalog, "termination notice") == []
    assistant.ingest([write(tmp_path / "docs", "a.txt", CONTRACTS["a.txt"])])
    assert searches_agree(catalog, "termination notice")
    assistant.remove("a.txt")
    assert searches_agree(catalog, "termination notice") == []


def test_sees_what_another_connection_writes(assistant, tmp_path):
    docs = tmp_path / "docs"
    assistant.ingest([write(docs, "a.txt", CONTRACTS["a.txt"])])
    catalog = assistant.index.catalog
    searches_agree(catalog, "termination payment")
    other = Catalog(catalog.path)
    try:
        with other._lock, other._db:
            other._db.execute("UPDATE documents SET status=?", (DocumentState.REMOVING,))
        assert searches_agree(catalog, "termination payment") == []
        with other._lock, other._db:
            other._db.execute("UPDATE documents SET status=?", (DocumentState.COMPLETE,))
    finally:
        other.close()
    assert searches_agree(catalog, "termination payment")


def test_an_encrypted_collection_searches_the_same(tmp_path):
    docs = tmp_path / "docs"
    paths = [write(docs, n, t) for n, t in CONTRACTS.items()]
    create_keyring(tmp_path / "enc", "Lieferverträge-2026")
    enc = Assistant(tmp_path / "enc", embedder=HashEmbedder())
    enc.unlock("Lieferverträge-2026")
    plain = Assistant(tmp_path / "plain", embedder=HashEmbedder())
    try:
        enc.ingest(paths)
        plain.ingest(paths)
        for q in QUESTIONS:
            assert searches_agree(enc.index.catalog, q) == searches_agree(plain.index.catalog, q)
            assert searches_agree(enc.index.catalog, q)
    finally:
        enc.close()
        plain.close()


def test_phrases_match_consecutive_tokens_in_one_column():
    # Rows 1 and 2; columns 0 and 1; the phrase "a b": a then b at the next offset, same column.
    a = (np.array([1, 1, 2, 2]), np.array([0, 0, 0, 1]), np.array([0, 5, 3, 0]))
    b = (np.array([1, 1, 2]), np.array([0, 0, 1]), np.array([1, 6, 4]))  # row 2: b is in the other column
    postings = phrase_postings([a, b], columns=2)
    assert postings.rows.tolist() == [1] and postings.counts.tolist() == [[2], [0]]
    single = phrase_postings([a], columns=2)
    assert single.rows.tolist() == [1, 2] and single.counts.tolist() == [[2, 1], [0, 1]]


def test_varints_read_as_sqlite_writes_them():
    assert varints(bytes([0x05, 0x81, 0x00, 0xFF, 0x7F])) == [5, 128, 16383]
