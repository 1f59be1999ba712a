"""Can the desktop app open a window? On Linux, Qt draws through its xcb platform plugin, which
needs X11 libraries that a minimal system lacks; without them the app dies at start with a
message about "xcb" that few users can act on. `ldd` on the plugin names what is missing.

PySide6 is located with importlib, never imported: the core stays free of Qt."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

from assistant.doctor.report import Check, note, ok, problem
from assistant.doctor.system import REINSTALL

SECTION = "Desktop"
NAME = "Qt xcb plugin"
PLUGIN = Path("Qt") / "plugins" / "platforms" / "libqxcb.so"

# Where Debian's package name does not follow from the library's file name.
DEBIAN_PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
}


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ldd reports as 'name => not found', each once, in the order listed."""
    found = re.findall(r"^\s*(\S+)\s+=>\s+not found", ldd_output, flags=re.MULTILINE)
    return list(dict.fromkeys(found))


def debian_package(library: str) -> str | None:
    """Debian's package for a shared library, by its naming rule: the file name without '.so',
    then the major version, with a hyphen between two digits (libxcb-cursor.so.0 -> libxcb-cursor0,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0). None when the name does not have that shape."""
    if library in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[library]
    match = re.fullmatch(r"(lib[\w+.-]+?)\.so\.(\d+)(?:\.\d+)*", library)
    if not match:
        return None
    base, major = match.group(1).lower().replace("_", "-"), match.group(2)
    return f"{base}-{major}" if base[-1].isdigit() else f"{base}{major}"


def install_advice(libraries: list[str]) -> str:
    packages = [debian_package(lib) for lib in libraries]
    known = list(dict.fromkeys(p for p in packages if p))
    unknown = [lib for lib, p in zip(libraries, packages) if not p]
    parts = []
    if known:
        parts.append(f"sudo apt-get install {' '.join(known)}")
    if unknown:
        parts.append(f"install the packages that provide {', '.join(unknown)}")
    return " and ".join(parts) + " (other systems: the packages that provide these libraries)"


def plugin_path(find_spec: Callable = importlib.util.find_spec) -> Path | None:
    try:
        spec = find_spec("PySide6")
    except (ImportError, ValueError):  # ValueError: a module entry without a spec (import blocked)
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / PLUGIN


def xcb_check(find_spec: Callable = importlib.util.find_spec, which: Callable = shutil.which,
              run: Callable = subprocess.run, platform: str = sys.platform) -> Check:
    if not platform.startswith("linux"):
        return note(SECTION, NAME, "only Linux draws through xcb; nothing to check here")
    plugin = plugin_path(find_spec)
    if plugin is None:
        return problem(SECTION, NAME, "PySide6 is not installed: the desktop app cannot start", REINSTALL)
    if not plugin.is_file():
        return problem(SECTION, NAME, f"PySide6 has no xcb platform plugin at {plugin}", REINSTALL)
    ldd = which("ldd")
    if ldd is None:
        return note(SECTION, NAME, "not checked: ldd is not installed (Debian package libc-bin)")
    try:
        result = run([ldd, str(plugin)], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return note(SECTION, NAME, f"not checked: ldd did not run ({exc})")
    missing = missing_libraries(result.stdout)
    if missing:
        return problem(SECTION, NAME, f"cannot load, system libraries are missing: {', '.join(missing)}",
                       install_advice(missing))
    if result.returncode != 0:
        return note(SECTION, NAME, f"not checked: ldd failed ({(result.stderr or result.stdout).strip()[:200]})")
    return ok(SECTION, NAME, f"loads: every library it needs is present ({plugin})")
