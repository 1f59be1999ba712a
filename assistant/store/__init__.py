"""The index on disk: Chroma vectors, a SQLite catalog with the BM25 (FTS5) index, a manifest."""
