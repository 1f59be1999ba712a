"""The one settings tree: every setting declared once, beside its default, its valid range and a
one-line description; checked by one validator whose messages name the setting and the bad value;
kept in one TOML file with a schema version, older files migrated on load.

The stages import their section from here (GenerationSettings, AnswerSettings, RetrievalSettings,
ChunkerSettings) and this module imports no stage: it is the leaf they all depend on. Nothing is
read at import time (unlike private-gpt's module-level settings): `load_settings()` reads the file
when a caller asks, so tests and the CLI choose which file, or none.

The CLI takes some of the same values as options; the app edits them in its settings dialog. Window
geometry and other UI state are not settings: the app keeps those in QSettings.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Iterator

from assistant.errors import InvalidSetting
from assistant.paths import data_home

SETTINGS_FILE = "settings.toml"
AUTOMATIC = "auto"  # how a setting left to the program (None in memory) is written in the file

# Chosen by measurement on the dev questions (README, "Choosing the default model"). A key of the
# model catalogue (assistant/generation/models.py, which re-exports it).
DEFAULT_MODEL = "qwen2.5-coder-0.5b"

Bound = float | Callable[[Any], float] | None  # a number, or computed from the section


@dataclass(frozen=True)
class Rule:
    """What a setting declares besides its default. `advanced` ones are tuning knobs: the file
    carries them only once changed, so a later release's retuned default reaches every user who
    never touched them."""

    description: str
    minimum: Bound = None
    maximum: Bound = None
    choices: tuple = ()
    prefixes: tuple[str, ...] = ()  # text that must start with one of these, when not empty
    automatic: bool = False  # may be None: the program chooses at run time ("auto" in the file)
    advanced: bool = False
    secret: bool = False  # never in a repr, a log line or a report


def setting(default, description: str, *, minimum: Bound = None, maximum: Bound = None, choices: tuple = (),
            prefixes: tuple[str, ...] = (), automatic: bool = False, advanced: bool = False, secret: bool = False):
    """A dataclass field that is a setting: its default, and the rule the validator reads."""
    rule = Rule(description, minimum, maximum, tuple(choices), tuple(prefixes), automatic, advanced, secret)
    return field(default=default, repr=not secret, metadata={"setting": rule})


def _four_per_core(_section) -> int:
    return 4 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class GenerationSettings:
    """Which model answers, and how it runs: a local GGUF through llama.cpp, or a server."""

    model: str = setting(DEFAULT_MODEL, "A packaged model's name from the catalogue, or the path to a .gguf file.")
    server_url: str = setting("", "An OpenAI-compatible server (llama.cpp, vLLM) to answer instead of the local "
                                  "model; empty for local.", prefixes=("http://", "https://"))
    server_model: str = setting("", "The model the server should answer with; empty for the server's default.")
    api_key: str = setting("", "The key the server asks for (sent as a bearer token); empty for none.", secret=True)
    context_tokens: int = setting(4096, "How many tokens the model reads at once (question, passages and answer).",
                                  minimum=1024, maximum=131072)
    threads: int | None = setting(None, "CPU threads for the model: automatic (every core) or a number.",
                                  minimum=1, maximum=_four_per_core, automatic=True)
    gpu_layers: int | None = setting(None, "Model layers to put on the GPU: automatic (all when llama.cpp was built "
                                           "for a GPU, else none), 0 for none, -1 for all, or a number.",
                                     minimum=-1, automatic=True)


@dataclass(frozen=True)
class AnswerSettings:
    """How an answer is prepared from the retrieved passages."""

    # Off: once the missing-clause check (clauses/presence.py) was in, every threshold tried on the
    # dev questions (0.3 to 0.6) abstained on answerable questions only (wrongly abstained 0.04 ->
    # 0.05 to 0.12, unanswerable already 1.0); see README, "Answers". While off it is not computed.
    coverage_threshold: float = setting(0.0, "Abstain when less than this rarity-weighted share of the question's "
                                             "subject words occurs in its document; 0 turns the check off.",
                                        minimum=0.0, maximum=1.0, advanced=True)
    passages: int = setting(3, "How many retrieved passages the model reads for each answer.", minimum=1, maximum=10)
    # The prompt's size decides the time to first token on a laptop CPU.
    excerpt_chars: int = setting(400, "Characters of each passage the model reads, around its best sentences.",
                                 minimum=100, maximum=8000, advanced=True)
    max_tokens: int = setting(160, "The longest answer the model may write, in tokens.",
                              minimum=16, maximum=4096, advanced=True)
    history_turns: int = setting(1, "Earlier questions and answers the model reads, for follow-up questions.",
                                 minimum=0, maximum=10, advanced=True)
    # The verifier's half-the-words rule turned around; grounding/fallback.py says why, and what the
    # tuning part of cuad100 showed (README, "Answers on contracts nobody tuned on").
    quote_subject_share: float = setting(
        0.5, "When no passage supports the model's wording, quote a passage sentence holding this share of the "
             "question's subject (or the wording of the clause asked about) instead of refusing; above 1: clause "
             "wording only.", minimum=0.0, maximum=2.0, advanced=True)


@dataclass(frozen=True)
class RetrievalSettings:
    """Hybrid search (assistant/retrieval/hybrid.py): dense and lexical rankings, routed, fused."""

    candidates: int = setting(50, "Passages taken from each ranker before fusion.", minimum=1, maximum=1000,
                              advanced=True)
    # Three, not all: a long document should not win on bulk.
    route_share: float = setting(0.2, "A document is searched again on its own when its best passages hold this "
                                      "share of the fused score of all candidates.",
                                 minimum=0.0, maximum=1.0, advanced=True)
    route_top: int = setting(3, "How many of a document's best passages count towards its share.",
                             minimum=1, maximum=50, advanced=True)
    max_routed: int = setting(2, "The most documents a question is routed to.", minimum=0, maximum=20, advanced=True)
    preamble_chars: int = setting(1500, "The opening characters where a contract names itself and its parties.",
                                  minimum=0, maximum=20000, advanced=True)
    # Once routed, the in-document rankings (clause words only) decide the order; the global
    # rankings still contribute, so a wrong route cannot bury the right passage.
    global_weight: float = setting(0.5, "Fusion weight of the whole-collection rankings.", minimum=0.0, maximum=10.0,
                                   advanced=True)
    focused_dense_weight: float = setting(1.0, "Fusion weight of the dense ranking inside a routed document.",
                                          minimum=0.0, maximum=10.0, advanced=True)
    focused_lexical_weight: float = setting(1.5, "Fusion weight of the lexical ranking inside a routed document.",
                                            minimum=0.0, maximum=10.0, advanced=True)
    # clauses/ranking.py: on cuad100's tuning part MRR@10 0.740 at 1.0, 0.757 at 1.5, 0.763 at 2.0, 0.758 at 3.0.
    clause_weight: float = setting(1.5, "Fusion weight of the ranking by the clause a question asks about, inside a "
                                        "routed document.", minimum=0.0, maximum=10.0, advanced=True)
    # Reciprocal rank fusion's constant (retrieval/fusion.py). The paper's 60 makes a passage
    # middling in all four rankings (two global, two in-document) beat one first in both
    # in-document rankings: ranks 1 and 5 differ by 6% of a score at 60, by 40% at 5. On
    # cuad100's tuning part: MRR@10 0.588 -> 0.663 (1: 0.678, 3: 0.668, 10: 0.657, 30: 0.614).
    fusion_k: int = setting(5, "Reciprocal rank fusion constant of the final ranking: lower trusts each "
                                "ranker's first places more.", minimum=0, maximum=1000, advanced=True)
    # retrieval/operative.py
    articles_window: int = setting(8, "Among this many best hits, a legislative act's articles go before its "
                                      "recitals.", minimum=0, maximum=100, advanced=True)


def _below_max_chars(section) -> int:
    return section.max_chars - 1


@dataclass(frozen=True)
class ChunkerSettings:
    """Sizes in characters (contract English runs about 5 characters to a MiniLM word piece).

    A chunk is what is cited and shown: up to a whole clause (max_chars). It is embedded as
    consecutive windows of at most window_chars, each prefixed with the title and heading, so
    every embedded text sits well inside MiniLM's 256-piece window and a long clause is matched
    by its best sentence rather than diluted into one averaged vector. An index keeps the values
    it was built with (its manifest); these apply to new indexes."""

    max_chars: int = setting(1500, "The longest chunk, in characters: up to a whole clause.", minimum=200,
                             advanced=True)
    min_chars: int = setting(500, "A chunk shorter than this takes in the next clause, in characters.",
                             minimum=0, maximum=_below_max_chars, advanced=True)
    window_chars: int = setting(400, "The longest piece of a chunk embedded as one vector, in characters.",
                                minimum=100, maximum=1000, advanced=True)
    # Not a setting: the chunker's own version, pinned in each index's manifest.
    version: int = 2


@dataclass(frozen=True)
class Settings:
    """The whole tree: the folder for indexes, then one section per stage."""

    index_home: str = setting("", "The folder where collections (indexes) live; empty for the default.")
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    answering: AnswerSettings = field(default_factory=AnswerSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    chunking: ChunkerSettings = field(default_factory=ChunkerSettings)


# Reading the tree


def _rule(f) -> Rule | None:
    return f.metadata.get("setting")


def _sections(cls) -> dict[str, type]:
    return {f.name: f.default_factory for f in fields(cls) if _rule(f) is None and is_dataclass(f.default_factory)}


def declared(cls=Settings, prefix: str = "") -> Iterator[tuple[str, Any, Rule]]:
    """(dotted key, field, rule) of every setting under `cls`, in declaration order."""
    for f in fields(cls):
        rule = _rule(f)
        if rule is not None:
            yield prefix + f.name, f, rule
        elif f.name in _sections(cls):
            yield from declared(f.default_factory, f"{prefix}{f.name}.")


def descriptions() -> dict[str, str]:
    """Every setting's one-line description, by dotted key ("generation.model")."""
    return {key: rule.description for key, _f, rule in declared()}


def _kind(f) -> type:
    return int if f.default is None else type(f.default)  # only whole numbers may be automatic


# The one validator


def problems(value) -> dict[str, str]:
    """What is wrong with a section or the whole tree, by dotted key; each message names the
    setting and the bad value. Empty when all is well. Values only: whether the model file and
    the indexes folder can be used is `validate`'s question."""
    prefix = next((f"{f.name}." for f in fields(Settings) if f.default_factory is type(value)), "")
    return _problems(value, prefix)


def _problems(section, prefix: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for f in fields(section):
        value, rule = getattr(section, f.name), _rule(f)
        if rule is None:
            if is_dataclass(value):
                found.update(_problems(value, f"{prefix}{f.name}."))
            continue
        message = _problem(section, f, rule, value)
        if message:
            found[prefix + f.name] = f"{prefix}{f.name} {message}."
    return found


def _problem(section, f, rule: Rule, value) -> str:
    if value is None and rule.automatic:
        return ""
    kind = _kind(f)
    numeric = kind in (int, float)
    shown = "a value not shown here" if rule.secret else repr(value)
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else kind):
        wanted = {int: "a whole number", float: "a number", str: "text"}.get(kind, kind.__name__)
        return f"must be {wanted}{' or automatic' if rule.automatic else ''}, got {shown}"
    if rule.choices and value not in rule.choices:
        return f"must be one of {', '.join(map(str, rule.choices))}, got {shown}"
    if rule.prefixes and value and not value.startswith(rule.prefixes):
        return f"must start with {' or '.join(rule.prefixes)}, got {shown}"
    if not numeric:
        return ""
    low, high = (b(section) if callable(b) else b for b in (rule.minimum, rule.maximum))
    if (low is None or value >= low) and (high is None or value <= high):
        return ""
    automatic = "automatic or " if rule.automatic else ""
    if low is not None and high is not None:
        return f"must be {automatic}between {low} and {high}, got {value}"
    return f"must be {automatic}at least {low}, got {value}" if low is not None else \
        f"must be {automatic}at most {high}, got {value}"


def validate(settings: Settings, packaged_models: Collection[str] | None = None) -> dict[str, str]:
    """`problems`, and whether the model and the indexes folder can be used. `packaged_models`:
    the catalogue's keys (this module imports no stage, so the caller passes them); without them a
    bare name is taken to be a packaged model's, which the model check reports when it is not."""
    found = problems(settings)
    generation = settings.generation
    if not generation.server_url:  # else the server's model answers and the local one is never loaded
        message = _model_problem(generation.model.strip(), packaged_models)
        if message:
            found["generation.model"] = message
    if settings.index_home:
        home = Path(settings.index_home).expanduser()
        if home.exists() and not home.is_dir():
            found["index_home"] = f"“{settings.index_home}” is a file, not a folder."
        elif not home.exists() and not home.parent.is_dir():
            found["index_home"] = f"The folder “{settings.index_home}” cannot be created: its parent does not exist."
    return found


def _model_problem(model: str, packaged_models: Collection[str] | None) -> str:
    if not model:
        return "Choose a model: a packaged model or a .gguf file."
    if packaged_models is not None and model in packaged_models:
        return ""
    path = Path(model).expanduser()
    if path.suffix.lower() == ".gguf":
        return "" if path.is_file() else f"The model file “{model}” does not exist."
    if packaged_models is None and os.sep not in model:
        return ""  # a packaged model's name, as far as this module can tell
    return f"“{model}” is neither a packaged model nor a .gguf file."


def checked(value):
    """The section or tree itself, or InvalidSetting naming every bad value: what a stage calls on
    settings handed to it from outside."""
    found = problems(value)
    if found:
        raise InvalidSetting(" ".join(found.values()))
    return value


# The file


def _flat_to_sections(raw: dict) -> dict:
    """Schema 1 had one flat table of the app's settings; 2 has a section per stage."""
    raw = dict(raw)
    generation = {k: raw.pop(k) for k in ("model", "server_url", "gpu_layers", "context_tokens", "threads") if k in raw}
    answering = {k: raw.pop(k) for k in ("passages",) if k in raw}
    return {**raw, "generation": generation, "answering": answering}


# In order: MIGRATIONS[n - 1] turns a schema-n file's table into schema n + 1's. Add one here
# rather than refuse an older file.
MIGRATIONS: tuple[Callable[[dict], dict], ...] = (_flat_to_sections,)
SCHEMA_VERSION = len(MIGRATIONS) + 1


def settings_path() -> Path:
    return data_home() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, migrated to this schema, or the defaults when there is no file. A file
    that cannot be read, or holds a bad value, is an error the user sees, never silently replaced."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidSetting(f"The settings file {path} cannot be read: {exc}.") from None
    version = raw.pop("schema_version", 1)  # schema 1 files always had one; none means hand-written
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise InvalidSetting(f"The settings file {path} has schema version {version!r}; this version reads "
                             f"1 to {SCHEMA_VERSION}.")
    for migrate in MIGRATIONS[version - 1:]:
        raw = migrate(raw)
    settings = _from_table(Settings, raw, path, "")
    found = problems(settings)
    if found:
        raise InvalidSetting(f"In the settings file {path}: " + " ".join(found.values()))
    return settings


def _from_table(cls, table: dict, path: Path, prefix: str):
    known = {f.name: f for f in fields(cls) if _rule(f) is not None}
    sections = _sections(cls)
    values = {}
    for key, value in table.items():
        if key in sections:
            if not isinstance(value, dict):
                raise InvalidSetting(f"In {path}, “{prefix}{key}” should be a section ([{prefix}{key}]), not {value!r}.")
            values[key] = _from_table(sections[key], value, path, f"{prefix}{key}.")
        elif key in known:
            rule, kind = _rule(known[key]), _kind(known[key])
            if rule.automatic and value == AUTOMATIC:
                value = None
            elif kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            values[key] = value
        else:
            raise InvalidSetting(f"The settings file {path} has an unknown setting “{prefix}{key}”.")
    return cls(**values)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the current schema atomically, so a crash never leaves half a settings file; readable
    by the user alone, as it may hold the server's API key."""
    found = validate(settings)
    if found:
        raise InvalidSetting(" ".join(found.values()))
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(settings_text(settings))
    os.replace(tmp, path)
    return path


def settings_text(settings: Settings) -> str:
    """The TOML file: the schema version, the top-level settings, then a table per section. Each
    setting follows its description; an advanced one at its default is written commented out."""
    lines = [f"schema_version = {SCHEMA_VERSION}"]
    lines += _table_lines(settings)
    for name in _sections(Settings):
        body = _table_lines(getattr(settings, name))
        if body:
            lines += ["", f"[{name}]", *body]
    return "\n".join(lines) + "\n"


def _table_lines(section) -> list[str]:
    lines = []
    for f in fields(section):
        rule = _rule(f)
        if rule is None:
            continue
        value = getattr(section, f.name)
        commented = "# " if rule.advanced and value == f.default else ""
        lines += [f"# {rule.description}", f"{commented}{f.name} = {_toml_value(value)}"]
    return lines


def _toml_value(value) -> str:
    if value is None:
        return f'"{AUTOMATIC}"'
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's string escapes are all valid in TOML
    return repr(value)


def collections_home(settings: Settings) -> Path:
    return Path(settings.index_home).expanduser() if settings.index_home else data_home()
