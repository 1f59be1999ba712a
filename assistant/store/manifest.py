"""The manifest pins what built an index: the embedder, its dimension, the chunker settings and
the schema version. Vectors from two different embedders are not comparable, so opening an index
with another embedder is refused rather than silently returning nonsense. The same holds for the
fast embedder, whose vectors a document has until its MiniLM ones are written (catalog tiers):
it is recorded the first time an index is opened with one, and another is refused after that.
And for the multilingual embedder, whose vectors the documents in German or French have (in a
Chroma store of their own, `chroma-multilingual/`; the catalog says which document is in which
space): one index never holds vectors of two models in one space, nor of an unnamed model."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from assistant.errors import EmbedderMismatch, IndexSchemaMismatch
from assistant.settings import ChunkerSettings

SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    schema_version: int
    embedder: str
    dimension: int
    chunker: ChunkerSettings
    encrypted: bool = False  # its catalog, review cache and audit log are encrypted (encryption.py)
    fast_embedder: str = ""  # "" until an index is first opened with a fast embedder
    fast_dimension: int = 0
    multilingual_embedder: str = ""  # "" until an index is first opened with a multilingual embedder
    multilingual_dimension: int = 0

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        return cls(
            schema_version=int(data["schema_version"]),
            embedder=str(data["embedder"]),
            dimension=int(data["dimension"]),
            chunker=ChunkerSettings(**data["chunker"]),
            encrypted=bool(data.get("encrypted", False)),
            fast_embedder=str(data.get("fast_embedder", "")),
            fast_dimension=int(data.get("fast_dimension", 0)),
            multilingual_embedder=str(data.get("multilingual_embedder", "")),
            multilingual_dimension=int(data.get("multilingual_dimension", 0)),
        )


def load_or_create(folder: Path, embedder: str, dimension: int, chunker: ChunkerSettings,
                   encrypted: bool = False, fast: tuple[str, int] | None = None,
                   multilingual: tuple[str, int] | None = None) -> Manifest:
    """Return the folder's manifest, creating it for a new index; refuse a mismatched embedder.
    An existing index keeps its own chunker settings so its chunks stay comparable. `fast`: the
    fast embedder's (name, dimension), recorded if the manifest has none yet; `multilingual` the
    same for the multilingual embedder."""
    path = folder / MANIFEST_NAME
    fast_name, fast_dimension = fast or ("", 0)
    if not path.exists():
        ml_name, ml_dimension = multilingual or ("", 0)
        manifest = Manifest(SCHEMA_VERSION, embedder, dimension, chunker, encrypted, fast_name, fast_dimension,
                            ml_name, ml_dimension)
        if _create_once(path, manifest.to_json()):
            return manifest
        # Another process (the app and a script ingesting into a new index at once) created it a
        # moment ago: read theirs and check it like any other.
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexSchemaMismatch(f"The index at {folder} has a damaged manifest ({exc}); re-index into a new folder.") from None
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexSchemaMismatch(
            f"The index at {folder} uses format version {manifest.schema_version}, this Clausewise reads "
            f"version {SCHEMA_VERSION}. Re-index the documents into a new index."
        )
    if manifest.embedder != embedder or manifest.dimension != dimension:
        raise EmbedderMismatch(
            f"The index at {folder} was built with the embedding model '{manifest.embedder}' "
            f"({manifest.dimension} dimensions), but the current model is '{embedder}' ({dimension} dimensions). "
            "Switch back to that model, or re-index the documents into a new index."
        )
    if fast is not None:
        if not manifest.fast_embedder:
            manifest = replace(manifest, fast_embedder=fast_name, fast_dimension=fast_dimension)
            _write_whole(path, manifest.to_json())
        elif (manifest.fast_embedder, manifest.fast_dimension) != fast:
            raise EmbedderMismatch(
                f"The index at {folder} holds fast vectors from '{manifest.fast_embedder}' "
                f"({manifest.fast_dimension} dimensions), but the current fast model is '{fast_name}' "
                f"({fast_dimension} dimensions). Open it with that model, or re-index the documents into a new index."
            )
    if multilingual is not None:
        if not manifest.multilingual_embedder:
            manifest = replace(manifest, multilingual_embedder=multilingual[0], multilingual_dimension=multilingual[1])
            _write_whole(path, manifest.to_json())
        elif (manifest.multilingual_embedder, manifest.multilingual_dimension) != multilingual:
            raise EmbedderMismatch(
                f"The index at {folder} holds the vectors of its German and French documents from "
                f"'{manifest.multilingual_embedder}' ({manifest.multilingual_dimension} dimensions), but the current "
                f"multilingual model is '{multilingual[0]}' ({multilingual[1]} dimensions). Open it with that model, "
                "or re-index the documents into a new index."
            )
    return manifest


def _write_whole(path: Path, text: str) -> None:
    """Replace `path` atomically: a reader sees the old manifest or the new one, never half. Two
    processes recording the same fast embedder at once write the same text."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _create_once(path: Path, text: str) -> bool:
    """Write `path` whole, unless it exists: True when this call created it. The temporary file
    has a name of its own, so two processes never write or rename each other's, and the link
    publishes it atomically and only if no manifest is there yet."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: rename, which is atomic but not exclusive
        if path.exists():
            return False
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)
