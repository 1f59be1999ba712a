"""Clausewise core: ingestion, storage, retrieval and (later) grounded answers. Free of Qt."""

__version__ = "0.1.0"
