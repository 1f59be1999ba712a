"""Encrypted collections: no document text or file name in clear anywhere under the folder, a
wrong or missing passphrase refused with nothing changed, the passphrase changed without
re-indexing, and damaged or foreign files refused plainly."""

import hashlib
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from assistant.collections import Collections
from assistant.errors import DamagedIndex, PassphraseRequired, WeakPassphrase, WrongPassphrase
from assistant.service import Assistant
from assistant.store.encryption import KEYRING_NAME, change_passphrase, create_keyring, unlock
from assistant.testing import HashEmbedder
from assistant.types import Cell, Quote

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "Lieferverträge-2026"
# Words no other file under the index could hold by chance; each is checked whole and as the
# stem FTS5's porter tokenizer keeps.
SECRETS = ["zanzibarite", "zanzibar", "quinceberry", "quinceberri", "Oberwaldkessel", "oberwaldkessel", "Pricing schedule"]
NAME = "Oberwaldkessel-pricing.txt"


def write_contract(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NAME
    path.write_text("1. PRICING\nThe zanzibarite surcharge applies to every quinceberry delivery.\n"
                    "2. Pricing schedule\nPrices are fixed for twelve months.\n" * 5, encoding="utf-8")
    return path


def every_byte_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def file_hashes(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def used_collection(folder: Path, docs: Path, passphrase: str | None) -> Assistant:
    """A collection that has been through everything that writes: ingest, search, a review cell
    (quoting the document) and the audit log."""
    if passphrase:
        create_keyring(folder, passphrase)
    a = Assistant(folder, embedder=HashEmbedder())
    if passphrase:
        a.unlock(passphrase)
    a.ingest([docs])
    assert a.search("surcharge delivery")[0].doc_name == NAME
    doc = a.documents()[0]
    a.index.review_cache.put(Cell(doc.source_id, doc.name, "pricing", "found", "the zanzibarite surcharge",
                                  (Quote(1, "The zanzibarite surcharge", 12, 37, True),), "quoted"),
                             type("Checklist", (), {"id": "c", "version": 1, "fingerprint": "f"})(), "model")
    a.record_export(folder.parent / "out.csv", "review")
    return a


@pytest.mark.parametrize("open_or_closed", ["open", "closed"])
def test_no_document_text_or_file_name_in_clear_anywhere_under_an_encrypted_collection(tmp_path, open_or_closed):
    docs = write_contract(tmp_path / "docs")
    a = used_collection(tmp_path / "enc", docs, PASSPHRASE)
    if open_or_closed == "closed":
        a.close()
    data = every_byte_under(tmp_path / "enc")
    for secret in SECRETS:
        for form in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            assert form not in data, secret
    # The same use of a plain collection does leave them in clear: the check above can fail.
    plain = used_collection(tmp_path / "plain", docs, None)
    plain.close()
    assert b"zanzibarite" in every_byte_under(tmp_path / "plain") and NAME.encode() in every_byte_under(tmp_path / "plain")
    a.close()


def test_an_encrypted_collection_works_like_a_plain_one_once_unlocked(tmp_path):
    docs = write_contract(tmp_path / "docs")
    used_collection(tmp_path / "enc", docs, PASSPHRASE).close()
    a = Assistant(tmp_path / "enc", embedder=HashEmbedder())
    a.unlock(PASSPHRASE)
    assert [d.name for d in a.documents()] == [NAME]
    assert a.search("zanzibarite")[0].text.startswith("1. PRICING")
    assert a.ingest([docs])[0].status.value == "skipped"  # unchanged files are recognised through the encrypted catalog
    assert [e.action for e in a.audit_log.entries()][-2:] == ["search", "ingest"]
    a.close()


def test_a_wrong_or_missing_passphrase_is_refused_and_changes_nothing(tmp_path, monkeypatch):
    docs = write_contract(tmp_path / "docs")
    used_collection(tmp_path / "enc", docs, PASSPHRASE).close()
    before = file_hashes(tmp_path / "enc")
    with pytest.raises(WrongPassphrase, match="passphrase .* is wrong. Nothing was changed"):
        Assistant(tmp_path / "enc", embedder=HashEmbedder()).unlock("Lieferverträge-2025")
    monkeypatch.delenv("CLAUSEWISE_PASSPHRASE", raising=False)
    with pytest.raises(PassphraseRequired, match="CLAUSEWISE_PASSPHRASE"):
        Assistant(tmp_path / "enc", embedder=HashEmbedder()).index
    monkeypatch.setenv("CLAUSEWISE_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongPassphrase):
        Assistant(tmp_path / "enc", embedder=HashEmbedder()).documents()
    assert file_hashes(tmp_path / "enc") == before


def test_the_passphrase_changes_without_touching_the_collections_files(tmp_path):
    docs = write_contract(tmp_path / "docs")
    used_collection(tmp_path / "enc", docs, PASSPHRASE).close()
    before = {k: v for k, v in file_hashes(tmp_path / "enc").items() if k != KEYRING_NAME}
    change_passphrase(tmp_path / "enc", PASSPHRASE, "a new one, longer")
    after = {k: v for k, v in file_hashes(tmp_path / "enc").items() if k != KEYRING_NAME}
    assert after == before  # re-wrapped the key, re-encrypted nothing
    with pytest.raises(WrongPassphrase):
        unlock(tmp_path / "enc", PASSPHRASE)
    a = Assistant(tmp_path / "enc", embedder=HashEmbedder())
    a.unlock("a new one, longer")
    assert [d.name for d in a.documents()] == [NAME]
    a.close()
    with pytest.raises(WrongPassphrase):
        change_passphrase(tmp_path / "enc", "wrong old one", "whatever new")
    with pytest.raises(WeakPassphrase, match="at least 8"):
        change_passphrase(tmp_path / "enc", "a new one, longer", "short")


def test_a_non_ascii_passphrase_opens_in_either_unicode_form(tmp_path):
    composed = unicodedata.normalize("NFC", "Grüße-für-Zoë")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    create_keyring(tmp_path, composed)
    assert unlock(tmp_path, decomposed).data_key == unlock(tmp_path, composed).data_key


def test_damaged_and_foreign_files_are_refused_plainly_and_nothing_is_lost(tmp_path):
    docs = write_contract(tmp_path / "docs")
    used_collection(tmp_path / "enc", docs, PASSPHRASE).close()
    folder = tmp_path / "enc"
    (folder / "notes from IT.txt").write_text("a foreign file")  # a stranger in the folder is left alone
    keyring = (folder / KEYRING_NAME).read_bytes()

    (folder / KEYRING_NAME).write_text("{ not json")
    with pytest.raises(DamagedIndex, match="key file .* is damaged"):
        unlock(folder, PASSPHRASE)
    (folder / KEYRING_NAME).unlink()
    with pytest.raises(DamagedIndex, match="lost its key file"):
        Assistant(folder, embedder=HashEmbedder()).index
    (folder / KEYRING_NAME).write_bytes(keyring)

    catalog = (folder / "catalog.sqlite").read_bytes()
    (folder / "catalog.sqlite").write_bytes(catalog[: len(catalog) // 3])  # truncated
    a = Assistant(folder, embedder=HashEmbedder())
    a.unlock(PASSPHRASE)  # the passphrase is right; the catalog is what is damaged
    with pytest.raises(DamagedIndex, match="catalog.sqlite .* cannot be read"):
        a.index
    (folder / "catalog.sqlite").write_bytes(catalog)
    a = Assistant(folder, embedder=HashEmbedder())
    a.unlock(PASSPHRASE)
    assert [d.name for d in a.documents()] == [NAME]
    a.close()
    assert (folder / "notes from IT.txt").read_text() == "a foreign file"

    (folder / "review-cache.sqlite").write_bytes(b"overwritten by something else" * 100)
    a = Assistant(folder, embedder=HashEmbedder())
    a.unlock(PASSPHRASE)
    assert [d.name for d in a.documents()] == [NAME]  # a damaged cache does not lock the collection
    assert (folder / "review-cache.sqlite.damaged").exists()
    a.close()

    plain = tmp_path / "plain"
    Assistant(plain, embedder=HashEmbedder()).ingest([docs])
    create_keyring(plain, PASSPHRASE)  # a key file dropped into a plain collection
    b = Assistant(plain, embedder=HashEmbedder())
    b.unlock(PASSPHRASE)
    with pytest.raises(DamagedIndex, match="made without encryption"):
        b.index


def test_an_encrypted_collection_created_in_the_collections_home(tmp_path):
    collections = Collections(tmp_path / "home")
    with pytest.raises(WeakPassphrase):
        collections.create("Lieferanten", passphrase="kurz")
    assert [c.name for c in collections.list()] == ["My documents"]
    made = collections.create("Lieferanten", passphrase=PASSPHRASE)
    assert made.encrypted and (made.folder / KEYRING_NAME).exists()
    assert not collections.get("My documents").encrypted


def cli(tmp_path, *argv, passphrase=PASSPHRASE, piped=None):
    env = {**os.environ, "CLAUSEWISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("CLAUSEWISE_PASSPHRASE", None)
    env.pop("CLAUSEWISE_NEW_PASSPHRASE", None)
    if passphrase is not None:
        env["CLAUSEWISE_PASSPHRASE"] = passphrase
    if piped is None:
        return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], env=env, capture_output=True, text=True,
                          input=piped, timeout=300)


@pytest.mark.slow
def test_the_command_line_creates_opens_and_refuses_an_encrypted_collection(tmp_path):
    """What a user or a script does: init --encrypted, ingest, search; then a wrong and a missing
    passphrase exit 2 with one plain line and no traceback."""
    docs = write_contract(tmp_path / "docs")
    index = str(tmp_path / "enc")
    made = cli(tmp_path, "--index", index, "init", "--encrypted")
    assert made.returncode == 0 and "encrypted collection" in made.stdout
    assert cli(tmp_path, "--index", index, "ingest", str(docs)).returncode == 0
    found = cli(tmp_path, "--index", index, "search", "zanzibarite surcharge")
    assert found.returncode == 0 and NAME in found.stdout
    for secret in SECRETS:
        assert secret.encode() not in every_byte_under(tmp_path / "enc")
    for passphrase, why in (("wrong passphrase!", "is wrong"), (None, "CLAUSEWISE_PASSPHRASE")):
        refused = cli(tmp_path, "--index", index, "docs", passphrase=passphrase)
        assert refused.returncode == 2
        assert why in refused.stderr and "passphrase" in refused.stderr and "Traceback" not in refused.stderr
        assert refused.stderr.count("\n") == 1
    again = cli(tmp_path, "--index", index, "init", "--encrypted")
    assert again.returncode == 1 and "holds a collection already" in again.stderr


def test_a_passphrase_piped_on_standard_input_is_read_and_an_open_empty_one_never_waited_for(tmp_path):
    index = str(tmp_path / "piped")
    assert cli(tmp_path, "--index", index, "init", "--encrypted", passphrase=None, piped=PASSPHRASE + "\n").returncode == 0
    listed = cli(tmp_path, "--index", index, "docs", passphrase=None, piped=PASSPHRASE + "\n")
    assert listed.returncode == 0 and "No documents indexed yet" in listed.stdout
    assert cli(tmp_path, "--index", index, "docs", passphrase=None, piped="not it at all\n").returncode == 2
    changed = cli(tmp_path, "--index", index, "passphrase", passphrase=None, piped=f"{PASSPHRASE}\nthe new passphrase\n")
    assert changed.returncode == 0, changed.stderr
    assert unlock(tmp_path / "piped", "the new passphrase")
    env = {**os.environ, "CLAUSEWISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("CLAUSEWISE_PASSPHRASE", None)
    waiting = subprocess.Popen([sys.executable, "-m", "assistant.cli", "--index", index, "docs"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:  # standard input open and empty (nothing written, never closed): refused, not waited on
        assert waiting.wait(timeout=60) == 2
        assert "CLAUSEWISE_PASSPHRASE" in waiting.stderr.read()
    finally:
        waiting.kill()
        waiting.stdin.close()
