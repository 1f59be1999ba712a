"""Checks a bundle's wheelhouse and writes what install.sh reads from it.

    python packaging/wheelhouse.py WHEELHOUSE --version 0.1.0 --requirements FILE --info FILE

Run by build_bundle.sh with the Python the bundle is built for. It refuses a wheelhouse that an
offline laptop could not install from (a source archive, a wheel for another platform or Python,
a test-only package, torch's CUDA build), then writes requirements.txt (an exact pin per wheel)
and BUNDLE_INFO (the version, the Python it needs, the oldest glibc its native code runs on, and
the commit Clausewise was built from).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

try:
    from packaging.tags import sys_tags
    from packaging.utils import parse_wheel_filename
except ImportError:  # a bare venv: pip carries its own copy
    from pip._vendor.packaging.tags import sys_tags
    from pip._vendor.packaging.utils import parse_wheel_filename

# Only the tests need these; a bundle that carries them was resolved with the wrong extras.
TEST_ONLY = {"pytest", "pytest-qt", "reportlab"}
# torch's CUDA build pulls these (gigabytes); the bundle wants the CPU build.
CUDA_PREFIX = "nvidia-"
# The oldest glibc anyone runs Python 3.11 on; the floor when no wheel asks for more.
GLIBC_BASE = (2, 17)


class WheelhouseError(Exception):
    pass


def wheels(wheelhouse: Path) -> list[Path]:
    files = sorted(p for p in wheelhouse.iterdir() if p.is_file())
    not_wheels = [p.name for p in files if p.suffix != ".whl"]
    if not_wheels:
        raise WheelhouseError(f"not wheels (an offline install cannot build them): {', '.join(not_wheels)}")
    return files


def pins(files: list[Path]) -> list[str]:
    """One exact requirement per wheel: what install.sh installs, nothing resolved at install time
    that is not already here."""
    lines = []
    for path in files:
        name, version, _, _ = parse_wheel_filename(path.name)
        lines.append(f"{name}=={version}")
    return sorted(lines)


def problems(files: list[Path]) -> list[str]:
    supported = set(sys_tags())
    found = []
    for path in files:
        name, _, _, tags = parse_wheel_filename(path.name)
        if not tags & supported:
            found.append(f"{path.name}: does not install on this platform and Python")
        if name in TEST_ONLY:
            found.append(f"{path.name}: only the tests need it")
        if name.startswith(CUDA_PREFIX):
            found.append(f"{path.name}: part of torch's CUDA build (pin the CPU build: torch==2.13.0 from the CPU index)")
    return found


def glibc_floor(files: list[Path]) -> tuple[int, int]:
    """The newest glibc any wheel needs: manylinux tags say it; a wheel built on this machine
    (tag linux_x86_64, like llama-cpp-python's) says it only through the symbol versions its
    shared libraries ask for (GLIBC_2.NN strings in their dynamic string table)."""
    floor = GLIBC_BASE
    for path in files:
        _, _, _, tags = parse_wheel_filename(path.name)
        for tag in tags:
            match = re.match(r"manylinux_(\d+)_(\d+)_", tag.platform)
            if match:
                floor = max(floor, (int(match[1]), int(match[2])))
        if any(tag.platform.startswith("linux_") for tag in tags):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if re.search(r"\.so(\.\d+)*$", member):
                        for minor in re.findall(rb"GLIBC_2\.(\d+)", archive.read(member)):
                            floor = max(floor, (2, int(minor)))
    return floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheelhouse", type=Path)
    parser.add_argument("--version", required=True, help="Clausewise's version")
    parser.add_argument("--source", default="worktree", help="the commit Clausewise was built from, or worktree")
    parser.add_argument("--requirements", required=True, type=Path)
    parser.add_argument("--info", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        files = wheels(args.wheelhouse)
        found = problems(files)
        if found:
            raise WheelhouseError("\n  ".join(["the wheelhouse cannot go into the bundle:", *found]))
    except WheelhouseError as exc:
        print(f"wheelhouse.py: {exc}", file=sys.stderr)
        return 1
    args.requirements.write_text(
        "# Exact pins of every wheel in wheelhouse/: install.sh installs these, offline.\n" + "\n".join(pins(files)) + "\n"
    )
    glibc = glibc_floor(files)
    args.info.write_text(
        f"version={args.version}\npython={sys.version_info.major}.{sys.version_info.minor}\n"
        f"glibc={glibc[0]}.{glibc[1]}\nsource={args.source}\n"
    )
    print(f"{len(files)} wheels checked; they need Python {sys.version_info.major}.{sys.version_info.minor} "
          f"and glibc {glibc[0]}.{glibc[1]} or newer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
