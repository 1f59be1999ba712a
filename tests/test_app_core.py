"""The Qt-free parts behind the app: settings, collections, the conversation's Markdown."""

from __future__ import annotations

import pytest

from assistant.collections import DEFAULT_NAME, CollectionError, Collections
from assistant.conversation import conversation_markdown
from assistant.errors import InvalidSetting
from assistant.generation.answering import Answer
from assistant.generation.settings import LazyGenerator, GenerationSettings
from assistant.settings import AppSettings, answer_settings, generation_settings, load_settings, save_settings, validate
from assistant.testing import ScriptedGenerator
from assistant.service import Assistant


def test_defaults_are_valid_and_round_trip(tmp_path):
    path = tmp_path / "settings.toml"
    assert validate(AppSettings()) == {}
    assert load_settings(path) == AppSettings()  # no file: defaults
    custom = AppSettings(model="smollm2-135m", gpu_layers=12, context_tokens=2048, threads=2, passages=5,
                         index_home=str(tmp_path / "indexes"))
    save_settings(custom, path)
    assert load_settings(path) == custom
    text = path.read_text()
    assert "schema_version = 1" in text and 'gpu_layers = 12' in text and "# How many tokens" in text
    save_settings(AppSettings(), path)
    assert 'threads = "auto"' in path.read_text() and load_settings(path).threads is None


def test_each_problem_names_the_bad_value(tmp_path):
    problems = validate(AppSettings(model=str(tmp_path / "nope.gguf"), context_tokens=100, threads=0, passages=42,
                                    gpu_layers=-3, server_url=""))
    assert set(problems) == {"model", "context_tokens", "threads", "passages", "gpu_layers"}
    assert "nope.gguf" in problems["model"] and "100" in problems["context_tokens"]
    assert "42" in problems["passages"] and "-3" in problems["gpu_layers"] and "0" in problems["threads"]
    assert "neither" in validate(AppSettings(model="llama-7b"))["model"]
    assert "http" in validate(AppSettings(server_url="localhost:8080"))["server_url"]
    (tmp_path / "file").write_text("x")
    assert "is a file" in validate(AppSettings(index_home=str(tmp_path / "file")))["index_home"]
    with pytest.raises(InvalidSetting, match="100"):
        save_settings(AppSettings(context_tokens=100), tmp_path / "s.toml")
    assert not (tmp_path / "s.toml").exists()


def test_a_damaged_settings_file_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("model = [unclosed")
    with pytest.raises(InvalidSetting, match="cannot be read"):
        load_settings(path)
    path.write_text('schema_version = 1\ncolour = "blue"\n')
    with pytest.raises(InvalidSetting, match="colour"):
        load_settings(path)
    path.write_text('schema_version = 1\npassages = "three"\n')
    with pytest.raises(InvalidSetting, match="passages"):
        load_settings(path)


def test_settings_feed_the_core():
    settings = AppSettings(model="smollm2-135m", context_tokens=2048, threads=3, gpu_layers=0, passages=6)
    generation = generation_settings(settings)
    assert (generation.model, generation.context_tokens, generation.threads, generation.gpu_layers) == ("smollm2-135m", 2048, 3, 0)
    assert answer_settings(settings).passages == 6


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
