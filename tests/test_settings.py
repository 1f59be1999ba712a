"""The one settings tree: declared defaults, ranges and descriptions, one validator, the TOML file
with its schema version and migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pytest

from assistant.errors import InvalidSetting
from assistant.generation.models import CATALOGUE, DEFAULT_MODEL
from assistant.settings import (SCHEMA_VERSION, AnswerSettings, GenerationSettings, Settings, checked, declared,
                                descriptions, load_settings, problems, save_settings, validate)

ROOT = Path(__file__).resolve().parents[1]

# As the schema-1 writer wrote it (the app's flat settings, "auto" for automatic).
SCHEMA_1 = """schema_version = 1
# A packaged model's name from the catalogue, or the path to a .gguf file.
model = "smollm2-135m"
# An OpenAI-compatible server (llama.cpp, vLLM) to answer instead of the local model; empty for local.
server_url = ""
# Model layers to put on the GPU: automatic (as many as fit), 0 for none, or a number.
gpu_layers = 12
# How many tokens the model reads at once (question, passages and answer).
context_tokens = 2048
# CPU threads for the model: automatic (every core) or a number.
threads = "auto"
# How many retrieved passages the model reads for each answer.
passages = 5
# The folder where collections (indexes) live; empty for the default.
index_home = "{home}"
"""


def test_defaults_are_valid_and_round_trip(tmp_path):
    path = tmp_path / "settings.toml"
    assert validate(Settings(), packaged_models=CATALOGUE) == {}
    assert load_settings(path) == Settings()  # no file: defaults
    custom = Settings(index_home=str(tmp_path / "indexes"),
                      generation=GenerationSettings(model="smollm2-135m", gpu_layers=12, context_tokens=2048, threads=2,
                                                    server_model="qwen", api_key='k"ey\\1'),
                      answering=AnswerSettings(passages=5, excerpt_chars=600))
    save_settings(custom, path)
    assert load_settings(path) == custom
    text = path.read_text()
    assert f"schema_version = {SCHEMA_VERSION}" in text and "\n[generation]\n" in text and "gpu_layers = 12" in text
    assert "# How many tokens" in text
    assert "\nexcerpt_chars = 600" in text and "\n# max_tokens = 160" in text  # an advanced one: only once changed
    assert path.stat().st_mode & 0o077 == 0  # it may hold the API key: the user's alone
    save_settings(Settings(), path)
    assert 'threads = "auto"' in path.read_text() and load_settings(path).generation.threads is None
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left behind


def test_a_schema_1_file_is_migrated_and_saved_as_the_current_schema(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(SCHEMA_1.format(home=tmp_path / "indexes"))
    expected = Settings(index_home=str(tmp_path / "indexes"),
                        generation=GenerationSettings(model="smollm2-135m", server_url="", gpu_layers=12,
                                                      context_tokens=2048, threads=None),
                        answering=AnswerSettings(passages=5))
    migrated = load_settings(path)
    assert migrated == expected
    save_settings(migrated, path)
    saved = tomllib.loads(path.read_text())
    assert saved["schema_version"] == SCHEMA_VERSION == 2
    assert saved["generation"]["model"] == "smollm2-135m" and saved["answering"]["passages"] == 5
    assert "model" not in saved and "passages" not in saved  # the flat keys are gone
    assert load_settings(path) == expected


def test_a_file_without_a_schema_version_is_read_as_schema_1(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('model = "smollm2-135m"\n')
    assert load_settings(path).generation.model == "smollm2-135m"


def test_a_newer_schema_is_refused_with_both_versions(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f"schema_version = {SCHEMA_VERSION + 1}\n")
    with pytest.raises(InvalidSetting, match=f"schema version {SCHEMA_VERSION + 1}.*1 to {SCHEMA_VERSION}"):
        load_settings(path)


def test_each_problem_names_the_setting_and_the_bad_value(tmp_path):
    bad = Settings(generation=GenerationSettings(model=str(tmp_path / "nope.gguf"), context_tokens=100, threads=0,
                                                 gpu_layers=-3),
                   answering=AnswerSettings(passages=42))
    found = validate(bad)
    assert set(found) == {"generation.model", "generation.context_tokens", "generation.threads",
                          "answering.passages", "generation.gpu_layers"}
    assert "nope.gguf" in found["generation.model"]
    assert found["generation.context_tokens"] == "generation.context_tokens must be between 1024 and 131072, got 100."
    assert found["answering.passages"] == "answering.passages must be between 1 and 10, got 42."
    assert found["generation.gpu_layers"] == "generation.gpu_layers must be automatic or at least -1, got -3."
    assert "got 0" in found["generation.threads"]
    assert "neither" in validate(Settings(generation=GenerationSettings(model="llama-7b")),
                                 packaged_models=CATALOGUE)["generation.model"]
    assert "http" in validate(Settings(generation=GenerationSettings(server_url="localhost:8080")))["generation.server_url"]
    (tmp_path / "file").write_text("x")
    assert "is a file" in validate(Settings(index_home=str(tmp_path / "file")))["index_home"]
    with pytest.raises(InvalidSetting, match="100"):
        save_settings(Settings(generation=GenerationSettings(context_tokens=100)), tmp_path / "s.toml")
    assert not (tmp_path / "s.toml").exists()


def test_gpu_layers_mean_automatic_none_all_or_a_count():
    for layers in (None, 0, -1, 33):
        assert problems(GenerationSettings(gpu_layers=layers)) == {}
    assert "-2" in checked_message(GenerationSettings(gpu_layers=-2))


def checked_message(section) -> str:
    with pytest.raises(InvalidSetting) as raised:
        checked(section)
    return raised.value.message


def test_a_damaged_settings_file_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("model = [unclosed")
    with pytest.raises(InvalidSetting, match="cannot be read"):
        load_settings(path)
    path.write_text('schema_version = 1\ncolour = "blue"\n')
    with pytest.raises(InvalidSetting, match="unknown setting “colour”"):
        load_settings(path)
    path.write_text('schema_version = 2\n[generation]\ncolour = "blue"\n')
    with pytest.raises(InvalidSetting, match="unknown setting “generation.colour”"):
        load_settings(path)
    path.write_text('schema_version = 2\n[chunking]\nversion = 1\n')  # the chunker's stamp is no setting
    with pytest.raises(InvalidSetting, match="unknown setting “chunking.version”"):
        load_settings(path)
    path.write_text('schema_version = 1\npassages = "three"\n')
    with pytest.raises(InvalidSetting, match="answering.passages must be a whole number, got 'three'"):
        load_settings(path)
    path.write_text('schema_version = 2\n[answering]\npassages = 42\n')  # out of range: refused on load too
    with pytest.raises(InvalidSetting, match="answering.passages must be between 1 and 10, got 42"):
        load_settings(path)


def test_every_setting_has_a_one_line_description():
    found = descriptions()
    assert {"index_home", "generation.model", "generation.server_model", "generation.api_key",
            "answering.passages", "retrieval.candidates", "chunking.max_chars"} <= set(found)
    for key, text in found.items():
        assert text.strip() and "\n" not in text and text.endswith("."), key


def test_the_one_validator_enforces_every_declared_range():
    """Just outside each bound, for every setting that has one: a problem naming the key and value."""
    checked_bounds = 0
    for key, f, rule in declared():
        section_name, _, name = key.rpartition(".")
        cls = next(x.default_factory for x in fields(Settings) if x.name == section_name) if section_name else Settings
        section = cls()
        for bound, step in ((rule.minimum, -1), (rule.maximum, +1)):
            if bound is None:
                continue
            limit = bound(section) if callable(bound) else bound
            outside = limit + step if isinstance(f.default, int) or f.default is None else limit + step * 0.5
            found = problems(replace(section, **{name: outside}))
            assert key in found and str(outside) in found[key], (key, found)
            assert key not in problems(replace(section, **{name: limit})), key
            checked_bounds += 1
    assert checked_bounds >= 25


def test_sections_entering_the_core_are_checked(tmp_path, hash_embedder):
    from assistant.service import Assistant

    with pytest.raises(InvalidSetting, match="retrieval.candidates must be between 1 and 1000, got 0"):
        Assistant(tmp_path / "idx", embedder=hash_embedder, retrieval=replace(Settings().retrieval, candidates=0))
    with pytest.raises(InvalidSetting, match="generation.context_tokens"):
        Assistant(tmp_path / "idx", embedder=hash_embedder, generation=GenerationSettings(context_tokens=10))


def test_the_api_key_is_never_shown():
    settings = Settings(generation=GenerationSettings(server_url="http://127.0.0.1:9", api_key="sk-secret-4711"))
    assert "sk-secret-4711" not in repr(settings)
    bad = replace(settings.generation, api_key=4711)
    assert "4711" not in " ".join(problems(bad).values())


def test_the_api_key_and_server_model_reach_the_remote_generator():
    from assistant.generation.lazy import make_generator

    generator = make_generator(GenerationSettings(server_url="http://127.0.0.1:9/v1", server_model="qwen",
                                                  api_key="sk-secret-4711"))
    assert (generator.model, generator.api_key) == ("qwen", "sk-secret-4711")


def test_the_default_model_is_in_the_catalogue():
    assert DEFAULT_MODEL in CATALOGUE and GenerationSettings().model == DEFAULT_MODEL


def test_the_settings_module_is_a_leaf():
    """Every stage imports its section from assistant.settings; it imports no stage."""
    code = ("import sys; import assistant.settings\n"
            "print(sorted(m for m in sys.modules if m.startswith('assistant')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(["assistant", "assistant.errors", "assistant.paths", "assistant.settings"])
