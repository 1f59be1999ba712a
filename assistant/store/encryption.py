"""Encrypted collections: the key file and the keys derived from it.

A collection is encrypted when its folder holds `keyring.json`. The file holds a random 256-bit
data key, wrapped (AES-256-GCM) under a key derived from the passphrase with scrypt, which is
memory-hard, so guessing passphrases on a stolen laptop's copy costs 128 MiB and a fraction of a
second per guess. The passphrase itself is never stored. Changing it re-wraps the same data key,
so nothing is re-encrypted or re-indexed.

Each file gets its own key derived from the data key (HKDF with the file's purpose), so the
catalog, the review cache and the audit log never share a key: SQLCipher encrypts the two SQLite
files, and the audit log seals each line with AES-GCM.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from assistant.errors import DamagedIndex, PassphraseRequired, WeakPassphrase, WrongPassphrase

KEYRING_NAME = "keyring.json"
PASSPHRASE_ENV = "CLAUSEWISE_PASSPHRASE"
FORMAT = 1
# OWASP's scrypt recommendation: N=2^17, r=8, p=1 (128 MiB, about 0.3 s here). Stored per key file,
# so a later version can raise it and still open older collections.
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class CollectionKey:
    """The unwrapped data key of one collection; `for_purpose` gives each file its own key."""

    data_key: bytes

    def for_purpose(self, purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"clausewise {purpose}".encode()).derive(self.data_key)

    def __repr__(self) -> str:  # never print a key into a log or a traceback
        return "CollectionKey(…)"


def is_encrypted(folder: Path) -> bool:
    return (Path(folder) / KEYRING_NAME).exists()


def create_keyring(folder: Path, passphrase: str) -> CollectionKey:
    """Make `folder` an encrypted collection; refused where a key file is already."""
    check_new_passphrase(passphrase)
    key = CollectionKey(secrets.token_bytes(32))
    path = Path(folder) / KEYRING_NAME
    Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as out:  # exclusive: two creators never overwrite each other
            out.write(_wrapped(key, passphrase))
            out.flush()
            os.fsync(out.fileno())
    except FileExistsError:
        raise DamagedIndex(f"The collection at {folder} is encrypted already.") from None
    return key


def unlock(folder: Path, passphrase: str | None) -> CollectionKey:
    """The collection's key, or a plain refusal naming the passphrase. Reads only."""
    if not passphrase:
        raise PassphraseRequired(
            f"The collection at {folder} is encrypted: give its passphrase in {PASSPHRASE_ENV}, "
            "or run the command in a terminal to be asked for it."
        )
    record = _read(folder)
    try:
        kek = _derive(passphrase, base64.b64decode(record["salt"]), record["scrypt"])
        blob = base64.b64decode(record["wrapped_key"])
        return CollectionKey(AESGCM(kek).decrypt(blob[:12], blob[12:], b"clausewise data key"))
    except InvalidTag:
        raise WrongPassphrase(f"The passphrase for the encrypted collection at {folder} is wrong. Nothing was changed.") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise DamagedIndex(_damaged(folder, exc)) from None


def change_passphrase(folder: Path, old: str, new: str) -> None:
    """Wrap the same data key under `new`: the collection's files stay as they are."""
    key = unlock(folder, old)
    check_new_passphrase(new)
    path = Path(folder) / KEYRING_NAME
    tmp = path.with_name(f".{KEYRING_NAME}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(_wrapped(key, new))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)  # atomic: a crash leaves the old passphrase working, never neither


def check_new_passphrase(passphrase: str) -> None:
    if len(normalised(passphrase)) < MIN_PASSPHRASE:
        raise WeakPassphrase(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")


def normalised(passphrase: str) -> str:
    """The same passphrase typed on two systems can differ in Unicode form ("ü" as one character
    or as u + diaeresis): NFC makes them one, so a non-ASCII passphrase opens everywhere."""
    return unicodedata.normalize("NFC", passphrase)


def _wrapped(key: CollectionKey, passphrase: str) -> str:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_derive(passphrase, salt, SCRYPT)).encrypt(nonce, key.data_key, b"clausewise data key")
    return json.dumps({
        "format": FORMAT,
        "what": "Clausewise collection key: AES-256-GCM-wrapped under scrypt(passphrase)",
        "scrypt": SCRYPT,
        "salt": base64.b64encode(salt).decode(),
        "wrapped_key": base64.b64encode(nonce + sealed).decode(),
    }, indent=2)


def _derive(passphrase: str, salt: bytes, params: dict) -> bytes:
    n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(normalised(passphrase).encode("utf-8"))


def _read(folder: Path) -> dict:
    try:
        record = json.loads((Path(folder) / KEYRING_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedIndex(f"The encrypted collection at {folder} has lost its key file ({KEYRING_NAME}); "
                           "restore it from a backup: without it the collection cannot be opened.") from None
    except (OSError, ValueError) as exc:
        raise DamagedIndex(_damaged(folder, exc)) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise DamagedIndex(_damaged(folder, "unknown format"))
    return record


def _damaged(folder: Path, why) -> str:
    return (f"The key file of the encrypted collection at {folder} is damaged ({why}); restore "
            f"{KEYRING_NAME} from a backup: without it the collection cannot be opened.")
