"""The Clausewise desktop app (PySide6). The only package that imports Qt; see DESIGN.md."""
