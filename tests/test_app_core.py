"""The Qt-free parts behind the app: collections, the conversation's Markdown, the shared model
(the settings themselves: test_settings.py)."""

from __future__ import annotations

import pytest

from assistant.collections import DEFAULT_NAME, CollectionError, Collections
from assistant.conversation import conversation_markdown
from assistant.types import Answer
from assistant.generation.lazy import LazyGenerator
from assistant.settings import GenerationSettings
from assistant.testing import ScriptedGenerator
from assistant.service import Assistant


def test_collections_create_rename_delete(tmp_path):
    collections = Collections(tmp_path)
    assert [c.name for c in collections.list()] == [DEFAULT_NAME]
    created = collections.create("Supplier contracts")
    assert created.folder == tmp_path / "supplier-contracts"
    collections.create("GDPR policies")
    assert [c.name for c in collections.list()] == [DEFAULT_NAME, "GDPR policies", "Supplier contracts"]
    with pytest.raises(CollectionError, match="already exists"):
        collections.create("gdpr POLICIES")
    with pytest.raises(CollectionError, match="needs a name"):
        collections.create("   ")
    renamed = collections.rename("Supplier contracts", "Suppliers 2026")
    assert renamed.folder == created.folder and collections.get("Suppliers 2026").folder == created.folder
    with pytest.raises(CollectionError, match="no collection"):
        collections.get("Supplier contracts")
    with pytest.raises(CollectionError, match="default"):
        collections.delete(DEFAULT_NAME)
    collections.delete("Suppliers 2026")
    assert not created.folder.exists()
    assert [c.name for c in collections.list()] == [DEFAULT_NAME, "GDPR policies"]


def test_collections_are_separate_indexes(tmp_path, hash_embedder):
    collections = Collections(tmp_path)
    gdpr = collections.create("GDPR policies")
    (tmp_path / "dpa.txt").write_text("The processor shall notify the controller of a breach within 48 hours.")
    Assistant(gdpr.folder, embedder=hash_embedder).ingest([tmp_path / "dpa.txt"])
    default = collections.get(DEFAULT_NAME)
    assert Assistant(default.folder, embedder=hash_embedder).documents() == []
    assert [d.name for d in Assistant(gdpr.folder, embedder=hash_embedder).documents()] == ["dpa.txt"]


def test_conversation_markdown_keeps_every_citation(tmp_path, hash_embedder):
    (tmp_path / "nw.txt").write_text("SUPPLY AGREEMENT. 2.1 This Supply Agreement is governed by the laws of Ireland.")
    assistant = Assistant(tmp_path / "idx", embedder=hash_embedder, generator=ScriptedGenerator())
    assistant.ingest([tmp_path / "nw.txt"])
    answer = [e for e in assistant.ask("Which law governs the supply agreement?") if isinstance(e, Answer)][0]
    text = conversation_markdown([answer])
    assert text.startswith("# Clausewise conversation\n\n## Which law governs the supply agreement?\n")
    assert answer.text.strip() in text
    citation = answer.citations[0]
    assert f'- [{citation.number}] nw.txt, p. 1: "{" ".join(citation.quote.split())}"' in text


def test_lazy_generator_builds_once_and_rebuilds_after_a_change(tmp_path):
    missing = tmp_path / "gone.gguf"
    lazy = LazyGenerator(GenerationSettings(model=str(missing)))
    with pytest.raises(Exception, match="gone.gguf"):
        list(lazy.stream([{"role": "user", "content": "hi"}]))
    lazy.configure(GenerationSettings(model="smollm2-135m"))
    assert lazy.settings.model == "smollm2-135m"
