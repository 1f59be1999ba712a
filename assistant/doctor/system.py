"""Checks of the machine and the installation: versions, the llama.cpp build, where data lives.

Versions are read from package metadata, never by importing: torch takes seconds to import, and
the app's own process must not import chromadb (it runs Chroma in a child process)."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable

from assistant.doctor.report import Check, note, ok, problem

REINSTALL = "reinstall: make setup"


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def version_checks() -> list[Check]:
    section = "Versions"
    checks = [ok(section, "Python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})")]
    own = installed_version("clausewise")
    checks.append(ok(section, "Clausewise", own) if own else
                  note(section, "Clausewise", "not installed as a package: running from the source folder"))
    for name, distribution in (("chromadb", "chromadb"), ("torch", "torch")):
        version = installed_version(distribution)
        checks.append(ok(section, name, version) if version else
                      problem(section, name, f"{distribution} is not installed", REINSTALL))
    checks.append(ocr_check())
    return checks


def ocr_check() -> Check:
    """OCR of scanned PDFs (assistant/ingest/ocr.py): the engine and where its language data is. A
    note, not a problem, when missing: everything but scans works without it."""
    from assistant.ingest import ocr

    reason = ocr.unavailable_reason()
    if reason:
        return note("Versions", "OCR", f"scanned PDFs cannot be read: {reason}",
                    "sudo apt-get install tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd")
    folder = ocr.tessdata_dir()
    languages = " ".join(lang for lang in ("eng", "deu", "fra") if (folder / f"{lang}.traineddata").is_file())
    return ok("Versions", "OCR", f"{ocr.engine_version()} ({languages} in {folder})")


def _build_info():
    from assistant.generation.llama_build import build_info

    return build_info()


def cpu_features_in_use(summary: str) -> str:
    """llama.cpp's 'CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 | ...' as 'SSE3 AVX'; other text as it is."""
    section, enabled = "", []
    for part in summary.split("|"):
        if " : " in part:  # a backend's section starts: "CPU : SSE3 = 1"
            section, part = part.split(" : ", 1)
            section = section.strip()
        name, _, value = part.partition("=")
        if section == "CPU" and value.strip() == "1":
            enabled.append(name.strip())
    return " ".join(enabled) if enabled else summary.strip()


def llama_checks(build_info: Callable = _build_info) -> list[Check]:
    section = "Versions"
    try:
        info = build_info()
    except ImportError:
        return [problem(section, "llama.cpp", "llama-cpp-python is not installed: local answers are impossible", REINSTALL)]
    except (OSError, AttributeError) as exc:  # a library that does not load on this CPU or system
        return [problem(section, "llama.cpp", f"llama-cpp-python is installed but does not load ({exc})", REINSTALL)]
    build = ("portable build: the CPU variant is chosen when it loads" if info.portable
             else "built for one CPU type (not portable)")
    gpu = (ok(section, "GPU offload", "available") if info.gpu_offload else
           note(section, "GPU offload", "not available: this build answers on the CPU only"))
    return [ok(section, "llama.cpp", f"llama-cpp-python {info.version}, {build}"),
            ok(section, "CPU features", cpu_features_in_use(info.cpu_features)),
            gpu]


def writable_problem(folder: Path) -> str:
    """Empty when files can be written in `folder` (or it can be created), else why not.
    Only a temporary file is written, and it is deleted at once."""
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent  # a missing folder counts as writable when its nearest parent is
    if not probe.is_dir():
        return f"{probe} is a file, not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".clausewise-doctor-"):
            pass
    except OSError as exc:
        return f"nothing can be written in {probe} ({exc.strerror or exc})"
    return ""


def data_checks(data_dir: Path, models_dir: Path, settings_file: Path, settings_problem: str) -> list[Check]:
    section = "Data"
    checks = []
    for name, folder in (("Data folder", data_dir), ("Models folder", models_dir)):
        why = writable_problem(folder)
        state = "writable" if folder.exists() else "not created yet, can be created"
        checks.append(problem(section, name, f"{folder}: {why}",
                              "make it writable, or set CLAUSEWISE_HOME to a folder you can write to")
                      if why else ok(section, name, f"{folder} ({state})"))
    if settings_problem:
        checks.append(problem(section, "Settings", settings_problem,
                              f"correct or delete {settings_file}; the app starts with the defaults meanwhile"))
    else:
        where = settings_file if settings_file.exists() else "defaults (no settings file yet)"
        checks.append(ok(section, "Settings", str(where)))
    return checks


def gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def memory_check(free: int, need: int, what: str) -> Check:
    section = "Machine"
    detail = f"{gib(free)} free; {what} needs about {gib(need)}"
    if need > free:
        return problem(section, "Free memory", detail,
                       "close other programs, lower the context size in Settings, or pick a smaller model")
    return ok(section, "Free memory", detail)


def cpu_check() -> Check:
    return ok("Machine", "CPU cores", str(os.cpu_count() or 1))
