"""Which answer models are here, and whether each is byte for byte the file that was pinned.

Unlike loading a model (which trusts a joined file's marker once it has been verified), the report
hashes every file it lists: it is the place to find a file damaged since it was verified."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from assistant.doctor.report import Check, note, ok, problem
from assistant.errors import ClausewiseError
from assistant.generation.models import KnownModel, check_gguf, package_dir, part_files
from assistant.hashing import sha256_of, sha256_of_files

SECTION = "Models"


def megabytes(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def locate(model: KnownModel, models_dir: Path) -> tuple[Path | None, list[Path], str]:
    """(the model's GGUF file if it is there, its installed part files, why it is not installed)."""
    if model.package:
        folder = package_dir(model.package)
        path = folder / model.file_name if folder else None
        if path is not None and path.is_file():
            return path, [], ""
        return None, [], f"package {model.package.replace('_', '-')} not installed"
    joined = Path(models_dir) / model.file_name
    absent = [p.replace("_", "-") for p in model.part_packages if package_dir(p) is None]
    parts = [] if absent else part_files(model)
    missing = f"package{'s' if len(absent) > 1 else ''} {', '.join(absent)} not installed" if absent else ""
    return (joined if joined.is_file() else None), parts, missing


def model_check(model: KnownModel, models_dir: Path, roles: tuple[str, ...] = ()) -> Check | None:
    """The state of one catalogue model; None for one that is simply not installed and that
    nothing relies on (no role)."""
    name = model.key + (f" ({', '.join(roles)})" if roles else "")
    prepare = f"clausewise models prepare {model.key}"
    file, parts, missing = locate(model, models_dir)
    if file is not None:
        if file.stat().st_size == model.size and sha256_of(file) == model.sha256:
            return ok(SECTION, name, f"{file} ({megabytes(model.size)}), SHA-256 verified")
        remedy = (f"reinstall its package (make setup), then check it: {prepare}" if model.package
                  else f"delete {file}, then run: {prepare}")
        return problem(SECTION, name, f"{file} is damaged (it is not the pinned file: checksum mismatch)", remedy)
    if parts:
        if sha256_of_files(parts) == model.sha256:
            return note(SECTION, name, f"its {len(parts)} parts are installed and check out (SHA-256), not joined yet",
                        f"the first question joins them (a few seconds), or join them now: {prepare}")
        return problem(SECTION, name, "its installed parts do not join into the pinned file (checksum mismatch)",
                       f"reinstall its packages (make setup), then run: {prepare}")
    if not roles:
        return None
    return problem(SECTION, name, f"{model.label} is not installed ({missing or 'no file'})",
                   f"install it (make setup), then run: {prepare}")


def fast_embedder_check(models_dir: Path) -> Check:
    """The static model ingest embeds with first (assistant/embedding/static.py)."""
    from assistant.embedding.static import MODEL_FOLDER

    folder = Path(models_dir) / MODEL_FOLDER
    if (folder / "modules.json").is_file():
        return ok(SECTION, "Fast embedder", f"{folder} (distilled here from MiniLM and verified)")
    return note(SECTION, "Fast embedder", "not made yet: the first ingest distils it from the packaged MiniLM (about 15 s)",
                "or make it now: clausewise models prepare")


def picked_file_check(choice: str) -> Check:
    """A model file the user picked in Settings (a path rather than a catalogue key)."""
    name = "Model in settings"
    try:
        path = check_gguf(Path(choice).expanduser())
    except ClausewiseError as exc:
        return problem(SECTION, name, exc.message, "pick an existing .gguf file, or a packaged model, in Settings")
    return ok(SECTION, name, f"{path} ({megabytes(path.stat().st_size)}, GGUF)")


def model_checks(catalogue: Mapping[str, KnownModel], default_model: str, models_dir: Path,
                 chosen: str, server_url: str = "") -> list[Check]:
    checks = []
    for key, model in catalogue.items():
        roles = tuple(role for role, applies in (("default", key == default_model),
                                                 ("chosen", key == chosen and not server_url)) if applies)
        check = model_check(model, models_dir, roles)
        if check is not None:
            checks.append(check)
    if server_url:
        checks.append(ok(SECTION, "Answer server", f"{server_url} (not contacted: the report makes no connections)"))
    elif chosen and chosen not in catalogue:
        checks.append(picked_file_check(chosen))
    return checks
