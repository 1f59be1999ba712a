"""The `clausewise` command: with no arguments it opens the desktop app (the installer's launcher,
the desktop entry and `make run` rely on that); with any, it is the command line.

It lives outside the core so that assistant/cli.py never imports the UI, and it imports PySide6
only when it opens the window: `clausewise ask ...` starts as fast as the CLI alone.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from ui.app import main as app_main

        return app_main([])
    from assistant.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
