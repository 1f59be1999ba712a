"""Ingestion: files -> pages -> chunks -> vectors in the index."""
