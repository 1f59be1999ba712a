"""The user's settings: every setting declared once with its default and a one-line description,
validated with messages that name the bad value, and kept in one TOML file with a schema version.

The CLI takes the same values as options; the app edits them in its settings dialog. Window
geometry and other UI state are not settings: the app keeps those in QSettings.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from assistant.errors import InvalidSetting
from assistant.generation.models import CATALOGUE, DEFAULT_MODEL
from assistant.generation.prompt import AnswerSettings
from assistant.generation.settings import GenerationSettings
from assistant.paths import data_home

SCHEMA_VERSION = 1
SETTINGS_FILE = "settings.toml"


@dataclass(frozen=True)
class AppSettings:
    model: str = DEFAULT_MODEL
    server_url: str = ""
    gpu_layers: int | None = None
    context_tokens: int = 4096
    threads: int | None = None
    passages: int = 3
    index_home: str = ""


DESCRIPTIONS = {
    "model": "A packaged model's name from the catalogue, or the path to a .gguf file.",
    "server_url": "An OpenAI-compatible server (llama.cpp, vLLM) to answer instead of the local model; empty for local.",
    "gpu_layers": "Model layers to put on the GPU: automatic (as many as fit), 0 for none, or a number.",
    "context_tokens": "How many tokens the model reads at once (question, passages and answer).",
    "threads": "CPU threads for the model: automatic (every core) or a number.",
    "passages": "How many retrieved passages the model reads for each answer.",
    "index_home": "The folder where collections (indexes) live; empty for the default.",
}

# Stored as the word "auto" in the file, None in memory.
_AUTOMATIC = {"gpu_layers", "threads"}


def validate(settings: AppSettings) -> dict[str, str]:
    """Problems by setting name, each message naming the bad value. Empty when all is well."""
    problems: dict[str, str] = {}
    model = settings.model.strip()
    if not settings.server_url:
        if not model:
            problems["model"] = "Choose a model: a packaged model or a .gguf file."
        elif model not in CATALOGUE:
            path = Path(model).expanduser()
            if path.suffix.lower() != ".gguf":
                problems["model"] = f"“{model}” is neither a packaged model nor a .gguf file."
            elif not path.is_file():
                problems["model"] = f"The model file “{model}” does not exist."
    if settings.server_url and not settings.server_url.startswith(("http://", "https://")):
        problems["server_url"] = f"The server address “{settings.server_url}” must start with http:// or https://."
    if settings.gpu_layers is not None and settings.gpu_layers < 0:
        problems["gpu_layers"] = f"GPU layers must be automatic, 0 or a positive number, not {settings.gpu_layers}."
    if not 1024 <= settings.context_tokens <= 131072:
        problems["context_tokens"] = f"The context size must be between 1024 and 131072 tokens, not {settings.context_tokens}."
    cores = os.cpu_count() or 1
    if settings.threads is not None and not 1 <= settings.threads <= 4 * cores:
        problems["threads"] = f"Threads must be automatic or between 1 and {4 * cores}, not {settings.threads}."
    if not 1 <= settings.passages <= 10:
        problems["passages"] = f"The number of passages must be between 1 and 10, not {settings.passages}."
    if settings.index_home:
        home = Path(settings.index_home).expanduser()
        if home.exists() and not home.is_dir():
            problems["index_home"] = f"“{settings.index_home}” is a file, not a folder."
        elif not home.exists() and not home.parent.is_dir():
            problems["index_home"] = f"The folder “{settings.index_home}” cannot be created: its parent does not exist."
    return problems


def checked(settings: AppSettings) -> AppSettings:
    problems = validate(settings)
    if problems:
        raise InvalidSetting(" ".join(problems.values()))
    return settings


def settings_path() -> Path:
    return data_home() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> AppSettings:
    """The saved settings, or the defaults when there is no file. A file that cannot be read is
    an error the user sees, never silently replaced."""
    path = path or settings_path()
    if not path.exists():
        return AppSettings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidSetting(f"The settings file {path} cannot be read: {exc}.") from None
    version = raw.pop("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise InvalidSetting(f"The settings file {path} has schema version {version}; this version reads {SCHEMA_VERSION}.")
    known = {f.name: f for f in fields(AppSettings)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            raise InvalidSetting(f"The settings file {path} has an unknown setting “{key}”.")
        if key in _AUTOMATIC and value == "auto":
            value = None
        default = getattr(AppSettings(), key)
        expected = type(default) if default is not None else int
        if value is not None and (not isinstance(value, expected) or isinstance(value, bool)):
            raise InvalidSetting(f"In {path}, “{key}” should be {expected.__name__}, not {value!r}.")
        values[key] = value
    return AppSettings(**values)


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write atomically, so a crash never leaves half a settings file."""
    checked(settings)
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"schema_version = {SCHEMA_VERSION}"]
    for f in fields(AppSettings):
        value = getattr(settings, f.name)
        lines.append(f"# {DESCRIPTIONS[f.name]}")
        lines.append(f"{f.name} = {_toml_value(value)}")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _toml_value(value) -> str:
    if value is None:
        return '"auto"'
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return str(value)


def generation_settings(settings: AppSettings) -> GenerationSettings:
    return GenerationSettings(model=settings.model.strip(), server_url=settings.server_url.strip(),
                              context_tokens=settings.context_tokens, threads=settings.threads,
                              gpu_layers=settings.gpu_layers)


def answer_settings(settings: AppSettings, base: AnswerSettings = AnswerSettings()) -> AnswerSettings:
    return replace(base, passages=settings.passages)


def collections_home(settings: AppSettings) -> Path:
    return Path(settings.index_home).expanduser() if settings.index_home else data_home()
