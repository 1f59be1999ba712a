"""Retrieval: dense and lexical search fused by reciprocal rank, with filters."""
