"""The main window's toolbar, menus and keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QToolBar


def build_menus(window) -> None:
    bar = QToolBar("Collections")
    bar.setObjectName("collections")
    bar.setMovable(False)
    bar.addWidget(QLabel(" Collection: "))
    bar.addWidget(window.collection_box)
    window.addToolBar(bar)
    menu = window.menuBar()

    def action(menu_, text, slot, shortcut=None):
        act = QAction(text, window)
        act.triggered.connect(lambda _checked=False: slot())  # `triggered` passes a flag the slots do not take
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        menu_.addAction(act)
        return act

    file_menu = menu.addMenu("&File")
    window.add_files_action = action(file_menu, "Add files…", window.choose_files, QKeySequence.StandardKey.Open)
    action(file_menu, "Add folder…", window.choose_folder, "Ctrl+Shift+O")
    file_menu.addSeparator()
    action(file_menu, "Export conversation…", window.export_conversation, "Ctrl+E")
    action(file_menu, "Settings…", window.open_settings, "Ctrl+,")
    file_menu.addSeparator()
    action(file_menu, "Quit", window.close, QKeySequence.StandardKey.Quit)
    collection_menu = menu.addMenu("&Collection")
    for text, slot in (("New collection…", window.new_collection), ("Rename collection…", window.rename_collection),
                       ("Delete collection…", window.delete_collection)):
        bar.addAction(action(collection_menu, text, slot))
    collection_menu.addSeparator()
    window.unlock_action = action(collection_menu, "Unlock…", window.unlock_current)
    window.audit_log_action = action(collection_menu, "Audit log…", window.open_audit_log)
    window.change_passphrase_action = action(collection_menu, "Change passphrase…", window.change_passphrase)
    review_menu = menu.addMenu("&Review")
    action(review_menu, "Run review", window.run_review, "Ctrl+R")
    action(review_menu, "Export review…", window.reviewing.export, "Ctrl+Shift+E")
    ask_menu = menu.addMenu("&Ask")
    action(ask_menu, "Focus the question", window.focus_question, "Ctrl+L")
    action(ask_menu, "Stop the answer", window.stop_answer)
    action(ask_menu, "New conversation", window.chat.clear, "Ctrl+N")
    help_menu = menu.addMenu("&Help")
    action(help_menu, "System report…", window.open_system_report)
    # Esc stops an answer anywhere in the window.
    QShortcut(QKeySequence(Qt.Key.Key_Escape), window, window.stop_answer)
