"""What the report examines (`Environment`, so tests can point it at temporary folders and fake
models) and the run of every check over it. A check that fails unexpectedly becomes a problem
line of its own; the rest of the report still comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from assistant.collections import DEFAULT_FOLDER, Collections
from assistant.doctor.desktop import xcb_check
from assistant.doctor.indexes import NamedIndex, Stores, index_checks
from assistant.doctor.models import fast_embedder_check, model_checks
from assistant.doctor.report import Check, Report, problem
from assistant.doctor.system import cpu_check, data_checks, llama_checks, memory_check, version_checks
from assistant.embedding.minilm import MiniLMEmbedder
from assistant.errors import ClausewiseError
from assistant.generation.models import CATALOGUE, DEFAULT_MODEL, KnownModel, available_memory, estimate_memory
from assistant.paths import data_home, models_home
from assistant.settings import SETTINGS_FILE, Settings, collections_home, load_settings
from assistant.store.consistency import open_stores


@dataclass(frozen=True)
class Environment:
    data_dir: Path
    models_dir: Path
    settings: Settings = field(default_factory=Settings)
    settings_problem: str = ""  # the settings file could not be read (the defaults stand in)
    indexes: tuple[NamedIndex, ...] = ()
    catalogue: Mapping[str, KnownModel] = field(default_factory=lambda: dict(CATALOGUE))
    default_model: str = DEFAULT_MODEL
    # The embedder every index must have been built with; its name and size suffice (never loaded).
    embedder: tuple[str, int] = (MiniLMEmbedder.name, MiniLMEmbedder.dimension)
    stores: Stores = open_stores
    free_memory: Callable[[], int] = available_memory


def known_indexes(settings: Settings, extra: Path | None = None) -> tuple[NamedIndex, ...]:
    """The collections, the command line's default index, and `extra`; each folder once."""
    entries = [NamedIndex(c.name, c.folder) for c in Collections(collections_home(settings)).existing()]
    entries.append(NamedIndex("default (command line)", collections_home(settings) / DEFAULT_FOLDER))
    if extra is not None:
        entries.append(NamedIndex(str(extra), Path(extra), must_exist=True))
    unique: dict[Path, NamedIndex] = {}
    for entry in entries:
        unique.setdefault(entry.folder.expanduser().resolve(), entry)
    return tuple(unique.values())


def environment(extra_index: Path | None = None, settings: Settings | None = None, **overrides) -> Environment:
    """This machine as the app and the command line see it: the saved settings (when not given),
    the data and models folders, every index."""
    settings_problem = ""
    if settings is None:
        try:
            settings = load_settings()
        except ClausewiseError as exc:  # reported, and the defaults stand in, as the app does
            settings, settings_problem = Settings(), exc.message
    return Environment(data_dir=data_home(), models_dir=models_home(), settings=settings,
                       settings_problem=settings_problem, indexes=known_indexes(settings, extra_index), **overrides)


def versions(env: Environment) -> list[Check]:
    return version_checks() + llama_checks()


def models(env: Environment) -> list[Check]:
    settings = env.settings.generation  # never the API key: a report is meant to be sent on
    return (model_checks(env.catalogue, env.default_model, env.models_dir, settings.model.strip(), settings.server_url)
            + [fast_embedder_check(env.models_dir)])


def machine(env: Environment) -> list[Check]:
    """Free memory against the model that will answer: the one chosen in settings, else the default."""
    settings = env.settings.generation
    checks = [cpu_check()]
    if settings.server_url:
        return checks
    chosen = settings.model.strip()
    model = env.catalogue.get(chosen) or env.catalogue.get(env.default_model)
    picked = Path(chosen).expanduser() if chosen and chosen not in env.catalogue else None
    if picked is not None and picked.is_file():
        size, label = picked.stat().st_size, picked.name
    elif model is not None:
        size, label = model.size, model.key
    else:
        return checks
    need = estimate_memory(size, settings.context_tokens)
    return checks + [memory_check(env.free_memory(), need, f"{label} with a {settings.context_tokens}-token context")]


def data(env: Environment) -> list[Check]:
    return data_checks(env.data_dir, env.models_dir, env.data_dir / SETTINGS_FILE, env.settings_problem)


def desktop(env: Environment) -> list[Check]:
    return [xcb_check()]


def indexes(env: Environment) -> list[Check]:
    name, dimension = env.embedder
    return index_checks(env.indexes, name, dimension, env.stores)


CHECKS: tuple[Callable[[Environment], list[Check]], ...] = (versions, models, machine, data, desktop, indexes)


def checkup(env: Environment, checks: tuple[Callable[[Environment], list[Check]], ...] | None = None) -> Report:
    found: list[Check] = []
    for run in checks or CHECKS:
        try:
            found.extend(run(env))
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            found.append(problem("Report", f"{run.__name__} check", f"the check itself failed ({type(exc).__name__}: {exc})",
                                 "send this report to whoever supports your installation"))
    return Report(tuple(found))
