"""Checklists are data: a TOML file of items, each with the question to ask, search hints, the
signals (regular expressions) a passage carrying the clause usually matches, and the kind of value
to extract. Shipped checklists live beside this module; users add their own files to
`<data dir>/checklists`. A file is validated on load, and a bad one names its bad key.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ClausewiseError
from assistant.paths import data_home
from assistant.text import normalise_space

SHIPPED = Path(__file__).parent / "checklists"
VALUE_KINDS = ("none", "text", "period", "date", "place", "amount", "parties")
EVIDENCE_CHOICES = ("best", "first")
VERDICT_CHOICES = ("found", "check")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ChecklistError(ClausewiseError):
    pass


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    question: str
    definition: str = ""  # what counts as the clause being present (CUAD's definition for contracts)
    hints: tuple[str, ...] = ()  # keywords and clause headings added to the search query
    signals: tuple[str, ...] = ()  # regexes: a sentence carrying the clause matches one of them...
    exclude: tuple[str, ...] = ()  # ...and none of these (e.g. "non-exclusive" for exclusivity)
    value: str = "none"  # the kind of value to extract
    label_name: str = ""  # the item's name in an external label set (CUAD's clause name)
    # Phrases by which a question names this clause, where some hints are too generic for that
    # ("hours" finds breach deadlines in a search, but "support hours" is not about breaches).
    asked_by: tuple[str, ...] = ()
    # Which matching sentence is the evidence: "best" (most signals, then the search's rank) or
    # "first" in reading order, for what a contract states in its opening lines (parties, date).
    evidence: str = "best"
    # What an accepted candidate is reported as: "found", or "check" ("wording to check") for an
    # item whose signals are known to be broad and whose precision was never measured on labels.
    verdict: str = "found"

    def terms_in(self, question: str) -> list[str]:
        """The item's label and `asked_by` phrases (else its hints) that the question names, each
        at the start of a word."""
        lowered = normalise_space(question.lower())
        return [term for term in (self.label, *(self.asked_by or self.hints))
                if re.search(r"\b" + re.escape(term.lower()), lowered)]

    def signal_in(self, sentence: str) -> bool:
        return self.signal_count(sentence) > 0

    def signal_count(self, sentence: str) -> int:
        """How many of the signals the sentence matches (0 when an exclusion matches): a sentence
        matching several is more likely the clause itself than one that mentions it in passing."""
        if self.exclude and any(re.search(p, sentence, re.IGNORECASE) for p in self.exclude):
            return 0
        return sum(1 for p in self.signals if re.search(p, sentence, re.IGNORECASE))


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    version: int
    description: str
    items: tuple[Item, ...]
    # A document none of whose text matches one of these is outside the checklist's subject (a
    # distribution agreement for the GDPR checklist): every item is "not found" without a search.
    requires: tuple[str, ...] = ()
    path: Path | None = None

    @property
    def fingerprint(self) -> str:
        """Changes whenever an item or the scope changes, even if the version number was not raised."""
        return hashlib.sha256(repr((self.id, self.requires, self.items)).encode()).hexdigest()[:16]

    def applies_to(self, text: str) -> bool:
        return not self.requires or any(re.search(p, text, re.IGNORECASE) for p in self.requires)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def _text(table: dict, key: str, where: str, required: bool = True, default: str = "") -> str:
    if key not in table:
        if required:
            raise ChecklistError(f"{where}: the key '{key}' is missing.")
        return default
    value = table[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise ChecklistError(f"{where}: '{key}' must be non-empty text, not {value!r}.")
    return value.strip()


def _texts(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ChecklistError(f"{where}: '{key}' must be a list of non-empty texts, not {value!r}.")
    return tuple(v.strip() for v in value)


def _patterns(table: dict, key: str, where: str) -> tuple[str, ...]:
    patterns = _texts(table, key, where)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ChecklistError(f"{where}: '{key}' holds a broken pattern {pattern!r} ({exc}).") from None
    return patterns


def _item(table: dict, where: str) -> Item:
    known = {"id", "label", "question", "definition", "hints", "signals", "exclude", "value", "label_name", "asked_by",
             "evidence", "verdict"}
    for key in table:
        if key not in known:
            raise ChecklistError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(known))}).")
    item_id = _text(table, "id", where)
    if not _ID.match(item_id):
        raise ChecklistError(f"{where}: 'id' must be lower-case letters, digits, '-' or '_', not {item_id!r}.")
    where = f"{where} ('{item_id}')"
    value = _text(table, "value", where, required=False, default="none")
    if value not in VALUE_KINDS:
        raise ChecklistError(f"{where}: 'value' must be one of {', '.join(VALUE_KINDS)}, not {value!r}.")
    evidence = _text(table, "evidence", where, required=False, default="best")
    if evidence not in EVIDENCE_CHOICES:
        raise ChecklistError(f"{where}: 'evidence' must be one of {', '.join(EVIDENCE_CHOICES)}, not {evidence!r}.")
    verdict = _text(table, "verdict", where, required=False, default="found")
    if verdict not in VERDICT_CHOICES:
        raise ChecklistError(f"{where}: 'verdict' must be one of {', '.join(VERDICT_CHOICES)}, not {verdict!r}.")
    signals, exclude = _patterns(table, "signals", where), _patterns(table, "exclude", where)
    return Item(id=item_id, label=_text(table, "label", where), question=_text(table, "question", where),
                definition=_text(table, "definition", where, required=False),
                hints=_texts(table, "hints", where), signals=signals, exclude=exclude, value=value,
                label_name=_text(table, "label_name", where, required=False),
                asked_by=_texts(table, "asked_by", where), evidence=evidence, verdict=verdict)


def parse_checklist(text: str, where: str = "checklist", path: Path | None = None) -> Checklist:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"{where} is not valid TOML ({exc}).") from None
    head = data.get("checklist")
    if not isinstance(head, dict):
        raise ChecklistError(f"{where}: the [checklist] table is missing.")
    checklist_id = _text(head, "id", f"{where} [checklist]")
    if not _ID.match(checklist_id):
        raise ChecklistError(f"{where} [checklist]: 'id' must be lower-case letters, digits, '-' or '_', "
                             f"not {checklist_id!r}.")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ChecklistError(f"{where} [checklist]: 'version' must be a whole number from 1, not {version!r}.")
    tables = data.get("item")
    if not isinstance(tables, list) or not tables:
        raise ChecklistError(f"{where}: no [[item]] tables; a checklist needs at least one item.")
    requires = _patterns(head, "requires", f"{where} [checklist]")
    items = tuple(_item(t, f"{where} item {n}") for n, t in enumerate(tables, start=1))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ChecklistError(f"{where}: the item id '{item.id}' is used twice.")
        seen.add(item.id)
    return Checklist(id=checklist_id, name=_text(head, "name", f"{where} [checklist]"), version=version,
                     description=_text(head, "description", f"{where} [checklist]", required=False),
                     items=items, requires=requires, path=path)


def load_checklist(path: Path) -> Checklist:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"The checklist {path} could not be read ({exc}).") from None
    return parse_checklist(text, where=f"The checklist {path.name}", path=path)


def user_checklists_dir() -> Path:
    return data_home() / "checklists"


def available(user_dir: Path | None = None) -> dict[str, Path]:
    """Checklist id -> file; a user's file with a shipped id replaces the shipped one."""
    found: dict[str, Path] = {}
    for folder in (SHIPPED, user_dir if user_dir is not None else user_checklists_dir()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = path
    return found


def all_checklists(user_dir: Path | None = None) -> list[Checklist]:
    """Every checklist that loads: shipped and the user's. A broken user file is skipped here (the
    review names its bad key when it is chosen), so it cannot stop answers."""
    loaded = []
    for path in available(user_dir).values():
        try:
            loaded.append(load_checklist(path))
        except ChecklistError:
            continue
    return loaded


def find_checklist(name: str, user_dir: Path | None = None) -> Checklist:
    """A checklist by id (shipped or the user's) or by path to a .toml file."""
    if name.endswith(".toml") or "/" in name or "\\" in name:
        return load_checklist(Path(name))
    files = available(user_dir)
    if name not in files:
        raise ChecklistError(f"There is no checklist called {name!r}; known: {', '.join(sorted(files)) or 'none'}.")
    checklist = load_checklist(files[name])
    if checklist.id != name:
        raise ChecklistError(f"The checklist file {files[name].name} says its id is {checklist.id!r}; "
                             f"name the file {checklist.id}.toml.")
    return checklist
