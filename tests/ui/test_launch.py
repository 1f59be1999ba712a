"""The `clausewise` and `clausewise-app` commands: no arguments open the app, any arguments are the
command line, and the command line never pulls in Qt."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_scripts():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"clausewise": "ui.launch:main", "clausewise-app": "ui.app:main"}


def test_no_arguments_open_the_app(monkeypatch):
    pytest.importorskip("PySide6")
    import ui.app
    from ui import launch

    opened = []
    monkeypatch.setattr(ui.app, "main", lambda argv=None: opened.append(argv) or 0)
    assert launch.main([]) == 0 and opened == [[]]


def test_arguments_run_the_command_line_without_qt():
    code = ("import sys; sys.modules['PySide6'] = None\n"  # any import of PySide6 now fails
            "from ui import launch; code = launch.main(['checklists'])\n"
            "assert not any(m.startswith('PySide6') or m == 'ui.app' for m in sys.modules if sys.modules[m])\n"
            "sys.exit(code)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "procurement-key-terms" in out.stdout
