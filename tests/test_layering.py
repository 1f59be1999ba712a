"""The core's stages depend one way: each module imports only from its own stage or the stages
below it, `assistant/` never imports the app (`ui`), and answering and review share clause
knowledge and grounding without importing each other."""

from pathlib import Path

from tests.test_offline_and_layering import imported_modules

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module may import from its own layer and every layer before it.
LAYERS = [
    {"types", "errors", "text", "language", "addressed_to_ai", "paths", "hashing", "settings", "child_process"},
    {"store", "embedding"},
    {"ingest"},
    {"retrieval"},
    {"clauses"},
    {"grounding"},
    {"generation", "review"},  # side by side: neither may import the other (checked below)
    {"service", "collections", "conversation", "testing"},
    {"runtime", "cli", "evaluation", "doctor", "__init__"},
]
LAYER_OF = {stage: n for n, layer in enumerate(LAYERS) for stage in layer}


def core_imports():
    """(stage of the importing module, its path, a module it imports) for every import in assistant/."""
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        for name in imported_modules(path.read_text(encoding="utf-8"), module, is_package):
            yield parts[1], path.relative_to(ROOT), name


def violation(stage: str, name: str) -> str:
    """Why importing `name` from `stage` breaks the layering, or "" when it does not."""
    if name == "ui" or name.startswith("ui."):
        return "the core imports the app"
    if not name.startswith("assistant.") or name.count(".") < 1:
        return ""
    target = name.split(".")[1]
    if {stage, target} == {"generation", "review"}:
        return "answering and review import each other"
    if target in LAYER_OF and LAYER_OF[target] > LAYER_OF[stage]:
        return f"{stage} imports {target}, a stage above it"
    return ""


def test_every_stage_has_a_layer():
    stages = {p.name.removesuffix(".py") for p in (ROOT / "assistant").iterdir()
              if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert stages - set(LAYER_OF) == set()


def test_stages_import_only_downwards_never_the_app_and_answering_and_review_not_each_other():
    offenders = [f"{path}: {name}: {why}" for stage, path, name in core_imports() if (why := violation(stage, name))]
    assert offenders == []


def test_the_check_catches_each_kind_of_bad_import():
    later = imported_modules("def later():\n    from assistant.review.engine import Reviewer\n", "assistant.generation.answering")
    assert violation("generation", "assistant.review.engine") and "assistant.review.engine" in later
    assert violation("review", "assistant.generation.prompt")
    assert violation("cli", "ui.app") and violation("store", "ui")
    assert violation("store", "assistant.ingest.chunking")  # the store sits below ingestion
    assert not violation("review", "assistant.grounding.citations") and not violation("generation", "assistant.clauses")
