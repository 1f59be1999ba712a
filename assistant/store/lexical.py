"""Top-k BM25 over the catalog's FTS5 index, scored with numpy: FTS5's own ranking, faster.

FTS5 has no top-k index: `ORDER BY bm25() LIMIT k` scores every row that holds any query word,
and a question's words are in 30-50 % of all passages, so at 100,000 passages BM25 was most of a
search (about 40 of a 46 ms p50 here; 87 of 90 ms on a slower machine). Each query word's postings (row
ids and per-column counts) are read once from the FTS5 index through fts5vocab (up to 50 ms for
a word in every passage, 1-4 ms for most) and kept in memory; a search is then a few vector
operations over them (0.5 ms), and a whole search takes 7 ms.

Only FTS5 tokenises: terms, counts, row lengths and totals all come from FTS5's own
records, so stemming and case folding stay FTS5's, and the scores are FTS5's `bm25()` (same
formula, same order of operations: equal to the last bit in the tests). What it reproduces
(sqlite/ext/fts5/fts5_aux.c, fts5Bm25Function):

    score(row) = -sum over phrases p of idf(p) * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

with k1 = 1.2, b = 0.75; f the phrase's occurrences in the row, each counted with its column's
weight; D the row's tokens in all columns; avgdl all tokens over all rows; idf(p) =
log((N - n + 0.5) / (n + 0.5)), at least 1e-6, n the rows that hold p and N all rows. N, n and
avgdl are the whole table's, whatever the search is narrowed to (rows of documents not yet
complete included), as they are for FTS5.

It stays current by checking, before each search, whether anything wrote to the database since
the last one (this connection's change count and `PRAGMA data_version`, which counts other
connections' commits: microseconds). When something did, the rows are re-read and the cached
postings updated in place: removed rows dropped, added rows tokenised by FTS5 itself in a
scratch table (see `_Scratch`). Temporary tables live in memory (the connection sets
temp_store=MEMORY), so an encrypted collection's text is never written anywhere in plain.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.types import DocumentState

K1, B = 1.2, 0.75
IDF_FLOOR = 1e-6  # FTS5's: a word in more than half of all rows still counts a little
# Postings kept in memory (about 8 bytes each with two columns): the words of many thousands of
# questions. The least recently used go first.
POSTINGS_BUDGET = 6_000_000
# Added rows are tokenised in the scratch table to update the cached postings; past this many,
# dropping the cache (words are read again as questions use them) is cheaper.
INCREMENTAL_ROWS = 20_000
_SEP = "\x1f"  # joins chunk and source ids in one string: neither contains it


def fts5_search(db, words: Sequence[str], limit: int, source_ids: Sequence[str] | None = None,
                weights: Sequence[float] = (1.0, 0.5)) -> list[tuple[str, str, float]]:
    """The same search done by FTS5 itself: the reference the scorer is tested and measured against."""
    if not words:
        return []
    sql = (f"SELECT c.chunk_id, c.source_id, bm25(chunks_fts, {', '.join(map(repr, map(float, weights)))}) AS score "
           "FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.source_id = c.source_id "
           "WHERE chunks_fts MATCH ? AND d.status = ?")
    params: list = [" OR ".join(f'"{w}"' for w in words), DocumentState.COMPLETE]
    if source_ids is not None:
        sql += f" AND chunks_fts.rowid IN (SELECT id FROM chunks WHERE source_id IN ({','.join('?' * len(source_ids))}))"
        params.extend(source_ids)
    return db.execute(sql + " ORDER BY score LIMIT ?", [*params, limit]).fetchall()


def varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, as FTS5 writes its size records."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        out.append(value)
    return out


def _numbers(joined: str | None, dtype) -> np.ndarray:
    """A group_concat of integers as an array: one string through SQLite's C and numpy's is
    about five times faster than a Python tuple per row."""
    return np.fromstring(joined, dtype=dtype, sep=",") if joined else np.zeros(0, dtype)


@dataclass
class _Postings:
    """One phrase's rows (FTS5 rowids, ascending) and its occurrences there per column."""
    rows: np.ndarray  # int64
    counts: np.ndarray  # (columns, rows) uint16: a passage holds far fewer than 65,536 tokens

    @property
    def size(self) -> int:
        return len(self.rows)


def phrase_postings(instances: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None]], columns: int) -> _Postings:
    """A phrase's postings from each of its tokens' instances (rowid, column, offset): rows where
    the tokens follow one another in one column, as FTS5 matches a phrase. A one-token phrase
    (nearly every query word) needs no offsets."""
    if len(instances) == 1:
        docs, cols, _ = instances[0]
    else:
        # A position as one integer, (rowid * columns + column) << 32 | offset: token j of the
        # phrase must stand at the first token's position + j.
        def positions(inst, j):
            docs, cols, offsets = inst
            return ((docs * columns + cols) << 32) + offsets - j
        starts = positions(instances[0], 0)
        for j, inst in enumerate(instances[1:], start=1):
            starts = np.intersect1d(starts, positions(inst, j), assume_unique=True)
        docs, cols = divmod(starts >> 32, columns)
    if len(docs) == 0:
        return _Postings(np.zeros(0, np.int64), np.zeros((columns, 0), np.uint16))
    if np.any(docs[1:] < docs[:-1]):  # fts5vocab gives them in rowid order; this does not rely on it
        order = np.argsort(docs, kind="stable")
        docs, cols = docs[order], cols[order]
    first = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    counts = np.stack([np.add.reduceat((cols == c).astype(np.int64), first) for c in range(columns)])
    return _Postings(docs[first].astype(np.int64), counts.astype(np.uint16))


class _Scratch:
    """An empty in-memory FTS5 table with the catalog table's columns and tokenizer: FTS5
    tokenises text put in it, and its fts5vocab table gives the terms back."""

    def __init__(self, db, table: str, columns: list[str]):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
        tokenize = re.search(r"tokenize\s*=\s*('(?:[^']|'')*'|\"[^\"]*\")", sql, re.I)
        options = f", tokenize={tokenize.group(1)}" if tokenize else ""
        self.db, self.columns = db, columns
        db.execute("DROP TABLE IF EXISTS temp.lexical_scratch_vocab")
        db.execute("DROP TABLE IF EXISTS temp.lexical_scratch")
        db.execute(f"CREATE VIRTUAL TABLE temp.lexical_scratch USING fts5({', '.join(columns)}{options})")
        db.execute("CREATE VIRTUAL TABLE temp.lexical_scratch_vocab USING fts5vocab(temp, lexical_scratch, 'instance')")

    def tokens(self, words: Sequence[str]) -> list[tuple[str, ...]]:
        """Each word's terms, in order: a word FTS5 splits ("foo_bar") is a phrase of several."""
        db = self.db
        db.executemany(f"INSERT INTO temp.lexical_scratch(rowid, {self.columns[0]}) VALUES (?, ?)", enumerate(words))
        found: list[list[str]] = [[] for _ in words]
        for doc, term in db.execute("SELECT doc, term FROM temp.lexical_scratch_vocab ORDER BY doc, offset"):
            found[doc].append(term)
        db.execute("DELETE FROM temp.lexical_scratch")
        return [tuple(t) for t in found]

    def instances(self, db_table: str, rowids: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The term instances of these rows of the catalog's table, tokenised afresh by FTS5."""
        cols = ", ".join(self.columns)
        for start in range(0, len(rowids), 500):
            part = [int(r) for r in rowids[start:start + 500]]
            self.db.execute(f"INSERT INTO temp.lexical_scratch(rowid, {cols}) SELECT rowid, {cols} FROM main.{db_table} "
                            f"WHERE rowid IN ({','.join('?' * len(part))})", part)
        column = {name: i for i, name in enumerate(self.columns)}
        rows = self.db.execute("SELECT term, doc, col, offset FROM temp.lexical_scratch_vocab ORDER BY term").fetchall()
        self.db.execute("DELETE FROM temp.lexical_scratch")
        by_term: dict[str, list] = {}
        for term, doc, col, offset in rows:
            by_term.setdefault(term, []).append((doc, column[col], offset))
        return {t: tuple(np.array(v, dtype=np.int64).T) for t, v in by_term.items()}


class LexicalIndex:
    """BM25 top-k over the FTS5 table `table` (rowid = the `chunks` row id), for one connection.
    The caller serialises calls (the catalog's lock)."""

    def __init__(self, db, table: str = "chunks_fts"):
        self.db, self.table = db, table
        self._ready = False

    # --- keeping current ------------------------------------------------------------------------

    def _setup(self):
        db = self.db
        self.columns = [row[1] for row in db.execute(f"PRAGMA table_info({self.table})")]
        db.execute("DROP TABLE IF EXISTS temp.lexical_vocab")
        db.execute(f"CREATE VIRTUAL TABLE temp.lexical_vocab USING fts5vocab(main, {self.table}, 'instance')")
        case = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(self.columns))
        self._term_sql = {
            False: f"SELECT group_concat(doc), group_concat(CASE col {case} END) FROM temp.lexical_vocab WHERE term=?",
            True: f"SELECT group_concat(doc), group_concat(CASE col {case} END), group_concat(offset) "
                  "FROM temp.lexical_vocab WHERE term=?",
        }
        self._scratch = _Scratch(db, self.table, self.columns)
        self._words: dict[str, tuple[str, ...]] = {}
        self._postings: OrderedDict[tuple[str, ...], _Postings] = OrderedDict()
        self._held = 0  # postings in the cache
        # By rowid: each row's chunk id, its document (a position in _sources) and its length.
        self._chunk_ids = np.full(0, None, object)
        self._source_of = np.zeros(0, np.int32)
        self._length = np.zeros(0, np.int64)
        self._sources: list[str] = []
        self._position: dict[str, int] = {}
        self._seen = self._shape = None
        self._ready = True

    def _check(self) -> int:
        """Refresh if anything wrote to the database since the last search. Returns the other
        connections' commit count as read now: what the search has seen of them."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if (version, self.db.total_changes) != self._seen:
            self._refresh()
        return version

    def _refresh(self):
        """Bring the rows, their documents' states and the cached postings up to date."""
        db = self.db
        documents = db.execute("SELECT source_id, status, added FROM documents").fetchall()
        # A document's chunks are written or deleted only with its own row (complete() follows
        # add_pending(), which stamps `added`; purge() deletes the row). So where the documents
        # and the chunk and FTS5 totals are as they were, only states changed (a status, a
        # tier): 3 ms at 100,000 passages, against 50-100 ms for comparing every row.
        shape = (frozenset((s, added) for s, _, added in documents),
                 db.execute("SELECT max(id), count(*) FROM chunks").fetchone(), self._averages())
        if shape != self._shape:
            self._compare_rows()
            self._shape = shape
        statuses = {s: status for s, status, _ in documents}
        complete = [statuses.get(s) == DocumentState.COMPLETE for s in self._sources]
        self._eligible = np.array(complete + [False], bool)[self._source_of]  # -1 (no chunk): the last, False
        # N and avgdl come from FTS5's own totals, which count every row of the table.
        self._n_rows, totals = shape[2]
        self._avgdl = sum(totals) / self._n_rows if self._n_rows else 0.0
        # The length part of BM25's denominator, as fts5_aux.c computes it, once per state.
        self._norm = (K1 * (1 - B + B * self._length / self._avgdl) if self._avgdl
                      else np.full(len(self._length), K1 * (1 - B)))

    def _compare_rows(self):
        """Find the rows removed and added since the last look, and update what is kept per row
        and the cached postings: 50-100 ms at 100,000 passages."""
        db = self.db
        # One scan of an index (not of the table, which holds the text), back as two strings.
        ids, chunk_ids = db.execute(f"SELECT group_concat(id), group_concat(chunk_id, '{_SEP}') FROM chunks").fetchone()
        ids = _numbers(ids, np.int64)
        width = max(int(ids.max(initial=0)) + 1, len(self._chunk_ids))
        new = np.full(width, None, object)
        new[ids] = chunk_ids.split(_SEP) if chunk_ids else []
        old = np.full(width, None, object)
        old[: len(self._chunk_ids)] = self._chunk_ids
        # Rows are never changed in place, only removed and added; a rowid used again is told
        # apart by its chunk id (a chunk id names the same text wherever it appears).
        same = old == new
        removed = np.flatnonzero(~same & (old != None))  # noqa: E711 (elementwise)
        added = np.flatnonzero(~same & (new != None))  # noqa: E711
        self._update_postings(removed, added, width)
        self._chunk_ids = new
        self._read_rows(added, width)

    def _read_rows(self, added: np.ndarray, width: int):
        """Each row's document (by position in `_sources`) and length in tokens: read for the
        rows added, or for all rows where that is most of them."""
        db, table = self.db, self.table
        grown = width - len(self._source_of)
        self._source_of = np.r_[self._source_of, np.full(grown, -1, np.int32)]
        self._length = np.r_[self._length, np.zeros(grown, np.int64)]
        self._source_of[self._chunk_ids == None] = -1  # noqa: E711 (elementwise)
        if len(added) > INCREMENTAL_ROWS:
            self._sources, self._position, self._source_of[:] = [], {}, -1
            documents = db.execute("SELECT source_id, group_concat(id) FROM chunks GROUP BY source_id")
            sizes = [db.execute(f"SELECT group_concat(id), group_concat(hex(sz), '') FROM {table}_docsize").fetchone()]
        else:
            documents, sizes = [], []
            for start in range(0, len(added), 500):
                part = [int(r) for r in added[start:start + 500]]
                marks = ",".join("?" * len(part))
                documents += db.execute(f"SELECT source_id, group_concat(id) FROM chunks WHERE id IN ({marks}) "
                                        "GROUP BY source_id", part).fetchall()
                sizes.append(db.execute(f"SELECT group_concat(id), group_concat(hex(sz), '') FROM {table}_docsize "
                                        f"WHERE id IN ({marks})", part).fetchone())
        for source_id, rows in documents:
            if source_id not in self._position:
                self._position[source_id] = len(self._sources)
                self._sources.append(source_id)
            self._source_of[_numbers(rows, np.int64)] = self._position[source_id]
        for rows, hexes in sizes:
            rows = _numbers(rows, np.int64)
            lengths = self._decode_sizes(hexes).reshape(len(rows), len(self.columns)).sum(axis=1)
            inside = rows < width  # an FTS5 row with no chunk (there should be none) is never a result
            self._length[rows[inside]] = lengths[inside]

    @staticmethod
    def _decode_sizes(hexes: str | None) -> np.ndarray:
        """FTS5's size records (a varint per column per row), as one hex string, decoded at once."""
        data = np.frombuffer(bytes.fromhex(hexes or ""), np.uint8)
        ends = np.flatnonzero(data < 0x80)  # the last byte of each varint (sizes never need the 9th)
        starts = np.r_[0, ends[:-1] + 1].astype(np.int64)
        width = ends - starts + 1
        values = np.zeros(len(ends), np.int64)
        for k in range(int(width.max(initial=0))):
            longer = width > k
            values[longer] = (values[longer] << 7) | (data[starts[longer] + k] & 0x7F)
        return values

    def _averages(self) -> tuple[int, tuple[int, ...]]:
        """FTS5's row count and per-column token totals: the figures bm25() takes N and avgdl from."""
        row = self.db.execute(f"SELECT block FROM {self.table}_data WHERE id=1").fetchone()
        values = varints(row[0]) if row and row[0] else [0]  # an empty table may have an empty record
        return values[0], tuple(values[1:])

    def _update_postings(self, removed: np.ndarray, added: np.ndarray, width: int):
        if not self._postings or (not len(removed) and not len(added)):
            return
        if len(added) > INCREMENTAL_ROWS:
            self._postings.clear()
            self._held = 0
            return
        fresh = self._scratch.instances(self.table, added) if len(added) else {}
        gone = np.zeros(width, bool)
        gone[removed] = True
        for phrase, old in self._postings.items():
            rows, counts = old.rows, old.counts
            if len(removed):
                keep = ~gone[rows]
                rows, counts = rows[keep], counts[:, keep]
            if all(t in fresh for t in phrase):  # the added rows hold every token of it
                more = phrase_postings([fresh[t] for t in phrase], len(self.columns))
                if more.size:
                    rows, counts = np.r_[rows, more.rows], np.concatenate([counts, more.counts], axis=1)
                    if len(rows) > more.size and more.rows[0] < rows[-more.size - 1]:  # added below the top
                        order = np.argsort(rows, kind="stable")
                        rows, counts = rows[order], counts[:, order]
            self._held += len(rows) - old.size
            self._postings[phrase] = _Postings(rows, counts)

    def _phrase(self, tokens: tuple[str, ...]) -> _Postings:
        """A phrase's postings, from the cache or read from the FTS5 index."""
        found = self._postings.get(tokens)
        if found is not None:
            self._postings.move_to_end(tokens)
            return found
        multi = len(tokens) > 1
        instances = []
        for term in tokens:
            row = self.db.execute(self._term_sql[multi], (term,)).fetchone()
            instances.append((_numbers(row[0], np.int64), _numbers(row[1], np.int64),
                              _numbers(row[2], np.int64) if multi else None))
        found = phrase_postings(instances, len(self.columns))
        self._postings[tokens] = found
        self._held += found.size
        while self._held > POSTINGS_BUDGET and len(self._postings) > 1:
            self._held -= self._postings.popitem(last=False)[1].size
        return found

    # --- searching --------------------------------------------------------------------------

    def search(self, words: Sequence[str], limit: int, source_ids: Sequence[str] | None = None,
               weights: Sequence[float] = (1.0, 0.5)) -> list[tuple[str, str, float]]:
        """The rows of complete documents that hold any of `words` (each a phrase, as FTS5 reads
        `"w1" OR "w2"`), best first: (chunk id, source id, bm25), lower is better, as FTS5's
        `ORDER BY bm25(table, *weights) LIMIT limit` gives them (equal scores by rowid)."""
        if not self._ready:
            self._setup()
        version = self._check()
        unknown = [w for w in dict.fromkeys(words) if w not in self._words]
        if unknown:
            if len(self._words) > 50_000:
                self._words.clear()
            self._words.update(zip(unknown, self._scratch.tokens(unknown)))
        phrases = [self._words[w] for w in words]
        result = self._score([self._phrase(p) for p in phrases if p], limit, source_ids, weights)
        # This connection's count includes the scratch table's writes, made since the check.
        self._seen = (version, self.db.total_changes)
        return result

    def _score(self, postings: list[_Postings], limit: int, source_ids, weights) -> list[tuple[str, str, float]]:
        if not postings or limit == 0 or not self._n_rows:
            return []
        size = len(self._norm)
        score = np.zeros(size)
        matched = np.zeros(size, bool)
        n = self._n_rows
        weights = [float(weights[i]) if i < len(weights) else 1.0 for i in range(len(self.columns))]
        for p in postings:
            idf = math.log((n - p.size + 0.5) / (p.size + 0.5))
            idf = idf if idf > 0 else IDF_FLOOR
            f = sum(w * p.counts[i] for i, w in enumerate(weights))
            score[p.rows] += idf * ((f * (K1 + 1.0)) / (f + self._norm[p.rows]))
            matched[p.rows] = True
        wanted = matched & self._eligible
        if source_ids is not None:
            inside = np.zeros(len(self._sources) + 1, bool)
            inside[[self._position[s] for s in source_ids if s in self._position]] = True
            wanted &= inside[self._source_of]
        rows = np.flatnonzero(wanted)
        best = score[rows]
        if limit > 0 and len(rows) > limit:
            # Keep every row tied with the k-th, so that ties go by rowid as FTS5's do.
            kth = np.partition(best, len(best) - limit)[len(best) - limit]
            rows, best = rows[best >= kth], best[best >= kth]
        order = np.lexsort((rows, -best))[: limit if limit > 0 else None]
        sources = self._sources
        return [(self._chunk_ids[r], sources[self._source_of[r]], -float(s))
                for r, s in zip(rows[order].tolist(), best[order].tolist())]
