"""Dialogs about a collection's protection: a new collection (encrypted or not), the passphrase
that opens an encrypted one, and a new passphrase for it.

Deriving a key from a passphrase (scrypt) takes a few tenths of a second on purpose, so each check
runs on the window's pool (`run` is `Background.run`): meanwhile the dialog says what it is doing
and its OK button waits. A refusal is shown inside the dialog, which stays open; the dialogs are
opened with `open()`, never `exec()`, so the window's event loop keeps running."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from assistant.errors import ClausewiseError, WrongPassphrase
from assistant.store.encryption import MIN_PASSPHRASE, normalised

Run = Callable[..., None]  # Background.run(fn, on_result, on_error)
WRONG = "wrong passphrase"  # what a check returns for a wrong passphrase (its own text belongs to the CLI)
NO_RECOVERY = ("There is no way to recover a forgotten passphrase: without it the collection "
               "cannot be opened, by you or by anyone else.")


def passphrase_problem(new: str, again: str) -> str:
    """What is wrong with a new passphrase and its confirmation, or ""."""
    if len(normalised(new)) < MIN_PASSPHRASE:
        return f"A passphrase needs at least {MIN_PASSPHRASE} characters."
    if new != again:
        return "The two passphrases differ; type the same one in both fields."
    return ""


def lock_icon(size: int = 16) -> QIcon:
    """A padlock, drawn: an emoji lock is a blank box where no emoji font is installed."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor("#8a6d1f")
    painter.setPen(QPen(colour, size / 8))
    painter.drawArc(QRectF(size * 0.28, size * 0.08, size * 0.44, size * 0.5), 0, 180 * 16)  # the shackle
    painter.drawLine(int(size * 0.28), int(size * 0.33), int(size * 0.28), int(size * 0.45))
    painter.drawLine(int(size * 0.72), int(size * 0.33), int(size * 0.72), int(size * 0.45))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(size * 0.16, size * 0.45, size * 0.68, size * 0.5), size / 10, size / 10)
    painter.end()
    return QIcon(pixmap)


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class WorkingDialog(QDialog):
    """OK checks the fields here, then runs the slow part on the pool; a failure keeps the dialog open."""

    def __init__(self, title: str, run: Run, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.run = run
        self.busy = False
        self.finished_ = False  # set once closed: a late result must not touch a closed dialog
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def fields(self) -> list[QWidget]:
        return []

    def show_error(self, message: str):
        self._set_busy(False)
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(message)
        self.status.show()

    def work(self, fn: Callable[[], object], doing: str, done: Callable[[object], None]):
        """`fn` on the pool; `done(result)` back here unless the dialog was closed meanwhile."""
        self._set_busy(True)
        self.status.setStyleSheet("")
        self.status.setText(doing)
        self.status.show()

        def finished(result):
            if not self.finished_:
                self._set_busy(False)
                done(result)

        self.run(fn, finished, lambda message: None if self.finished_ else self.show_error(message))

    def _set_busy(self, busy: bool):
        self.busy = busy
        self.ok_button.setEnabled(not busy)
        for field in self.fields():
            field.setEnabled(not busy and field.property("usable") is not False)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def done(self, result: int):
        self.finished_ = True
        super().done(result)


class PassphraseDialog(WorkingDialog):
    """Opens an encrypted collection: `unlock(passphrase)` checks it (Assistant.unlock) on the pool."""

    def __init__(self, collection_name: str, unlock: Callable[[str], None], run: Run, parent=None):
        super().__init__("Encrypted collection", run, parent)
        self.collection_name = collection_name
        self.unlock = unlock
        self.intro.setText(f"“{collection_name}” is encrypted. Type its passphrase to open it.")
        self.passphrase = _password_field()
        self.form.addRow("Passphrase:", self.passphrase)
        self.ok_button.setText("Open")

    def fields(self):
        return [self.passphrase]

    def accept(self):
        if self.busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            return self.show_error("Type the passphrase.")
        self.work(lambda: _checked(self.unlock, passphrase), "Checking the passphrase…", self._checked)

    def _checked(self, problem):
        if problem == WRONG:
            self.show_error("The passphrase is wrong. Try again, or cancel.")
            self.passphrase.selectAll()
            self.passphrase.setFocus()
        else:
            super().accept()


class NewCollectionDialog(WorkingDialog):
    """A name and, optionally, a passphrase. `create(name, passphrase or None)` makes it: here for a
    plain collection (a folder and a small file), on the pool for an encrypted one. Its result is
    in `created` once the dialog is accepted."""

    def __init__(self, create: Callable[[str, str | None], object], run: Run, parent=None):
        super().__init__("New collection", run, parent)
        self.create = create
        self.created = None
        self.intro.setText("Each collection is its own index: its documents never appear in another's answers.")
        self.name = QLineEdit()
        self.encrypt = QCheckBox("Encrypt this collection")
        self.encrypt.setToolTip("Its index, review results and audit log are unreadable without the passphrase, "
                                "for example on a lost laptop.")
        self.passphrase = _password_field()
        self.confirm = _password_field()
        self.hint = QLabel(f"At least {MIN_PASSPHRASE} characters. {NO_RECOVERY}")
        self.hint.setWordWrap(True)
        self.form.addRow("Name:", self.name)
        self.form.addRow("", self.encrypt)
        self.form.addRow("Passphrase:", self.passphrase)
        self.form.addRow("The same again:", self.confirm)
        self.layout().insertWidget(2, self.hint)  # below the form: a wrapped label in a form row gets clipped
        self.encrypt.toggled.connect(self._encrypting)
        self._encrypting(False)

    def fields(self):
        return [self.name, self.encrypt, self.passphrase, self.confirm]

    def _encrypting(self, on: bool):
        for field in (self.passphrase, self.confirm, self.hint):
            field.setProperty("usable", on)
            field.setEnabled(on)

    def accept(self):
        if self.busy:
            return
        name = self.name.text().strip()
        if not name:
            return self.show_error("A collection needs a name.")
        if not self.encrypt.isChecked():
            try:
                self.created = self.create(name, None)
            except ClausewiseError as exc:
                return self.show_error(exc.message)
            return super().accept()
        passphrase = self.passphrase.text()
        problem = passphrase_problem(passphrase, self.confirm.text())
        if problem:
            return self.show_error(problem)
        self.work(lambda: self.create(name, passphrase), "Creating the encrypted collection…", self._made)

    def _made(self, created):
        self.created = created
        super().accept()


class ChangePassphraseDialog(WorkingDialog):
    """`change(old, new)` re-wraps the collection's key (nothing is re-indexed), on the pool."""

    def __init__(self, collection_name: str, change: Callable[[str, str], None], run: Run, parent=None):
        super().__init__("Change passphrase", run, parent)
        self.change = change
        self.intro.setText(f"A new passphrase for “{collection_name}”. Nothing is re-indexed. {NO_RECOVERY}")
        self.old = _password_field()
        self.new = _password_field()
        self.confirm = _password_field()
        self.form.addRow("Current passphrase:", self.old)
        self.form.addRow("New passphrase:", self.new)
        self.form.addRow("The new one again:", self.confirm)

    def fields(self):
        return [self.old, self.new, self.confirm]

    def accept(self):
        if self.busy:
            return
        old, new = self.old.text(), self.new.text()
        if not old:
            return self.show_error("Type the current passphrase.")
        problem = passphrase_problem(new, self.confirm.text())
        if problem:
            return self.show_error(problem)
        self.work(lambda: _checked(lambda p: self.change(p, new), old), "Changing the passphrase…", self._changed)

    def _changed(self, problem):
        if problem == WRONG:
            self.show_error("The current passphrase is wrong; nothing was changed.")
            self.old.selectAll()
            self.old.setFocus()
        else:
            super().accept()


def _checked(check: Callable[[str], None], passphrase: str) -> str | None:
    """On the pool: None when `check` accepts the passphrase, WRONG when it is wrong; any other
    refusal (a damaged key file) raises and reaches the dialog as its message."""
    try:
        check(passphrase)
    except WrongPassphrase:
        return WRONG
    return None
