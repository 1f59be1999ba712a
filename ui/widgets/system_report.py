"""Help → System report…: the `clausewise doctor` report, read-only and monospaced so its columns
line up, with a button that copies it for a support request. The window collects the report off
the GUI thread and hands it over with `show_report`."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout

COLLECTING = "Collecting… (checking model files can take a few seconds)"


class SystemReportDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("System report")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # columns stay columns
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the whole report, to paste into a support request")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(980, 620)
        self.collecting()

    def collecting(self):
        self.text.setPlainText(COLLECTING)
        self.copy_button.setEnabled(False)  # nothing worth copying yet

    def show_report(self, report: str):
        self.text.setPlainText(report)
        self.copy_button.setEnabled(True)

    def show_error(self, message: str):
        self.text.setPlainText(f"The report could not be collected: {message}")
        self.copy_button.setEnabled(True)

    def copy(self):
        QGuiApplication.clipboard().setText(self.text.toPlainText())
