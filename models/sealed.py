"""Encryption at rest of sensitive columns (PIPL Art. 51; 儿童个人信息网络保护规定 Art. 13).

`Sealed` is a column type: values are encrypted with AES-GCM (`cryptography`) on the way into
the database and decrypted on the way out, so the rest of the code sees plain text. A sealed
value looks like `s1.<key id>.<base64 nonce+ciphertext>`; the key id lets a key rotation
re-encrypt at leisure. Exact look-ups (a full ID number or phone, duplicate checks, the
import's matching) use `blind_index`, a keyed HMAC of the normalised value, stored in an
indexed column beside the sealed one.

The keys live outside the database and the repository: in the environment (DATA_KEYS, the
JSON of the key file) or in `instance/data_keys.json`, made on first run. `configure` is
called by create_app; nothing here reads files by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from sqlalchemy import LargeBinary, Text
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.types import TypeDecorator

PREFIX = "s1."
_COMPARISONS = {operators.eq, operators.ne, operators.in_op, operators.not_in_op,
                operators.like_op, operators.ilike_op, operators.not_like_op,
                operators.not_ilike_op, operators.contains_op, operators.startswith_op,
                operators.endswith_op, operators.lt, operators.le, operators.gt, operators.ge,
                operators.between_op}
BYTES_PREFIX = b"s1."


class MissingKey(RuntimeError):
    """No keys configured, or a value sealed with a key that is not in the key file."""


class Keyring:
    def __init__(self, keys: dict[str, bytes], current: str, index_key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.current = current
        self.keys = dict(keys)
        self.ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.index_key = index_key

    def content(self) -> dict:
        """The keys as a key file holds them."""
        return {"current": self.current,
                "keys": {key_id: base64.b64encode(key).decode()
                         for key_id, key in self.keys.items()},
                "index": base64.b64encode(self.index_key).decode()}

    def seal(self, data: bytes) -> str:
        nonce = os.urandom(12)
        body = nonce + self.ciphers[self.current].encrypt(nonce, data, None)
        return f"{PREFIX}{self.current}.{base64.urlsafe_b64encode(body).decode()}"

    def open(self, token: str) -> bytes:
        _, key_id, body = token.split(".", 2)
        cipher = self.ciphers.get(key_id)
        if cipher is None:
            raise MissingKey(f"no key {key_id!r} to open a sealed value")
        raw = base64.urlsafe_b64decode(body)
        return cipher.decrypt(raw[:12], raw[12:], None)

    def key_id(self, token: str) -> str:
        return token.split(".", 2)[1]


_keyring: Keyring | None = None


def keyring() -> Keyring:
    if _keyring is None:
        raise MissingKey("the data keys are not configured (create_app does it)")
    return _keyring


def new_key_file_content(old: dict | None = None) -> dict:
    """A key file with a new current key (the old keys kept, so old values still open)."""
    keys = dict((old or {}).get("keys", {}))
    key_id = f"k{len(keys) + 1}"
    while key_id in keys:
        key_id += "x"
    keys[key_id] = base64.b64encode(secrets.token_bytes(32)).decode()
    index = (old or {}).get("index") or base64.b64encode(secrets.token_bytes(32)).decode()
    return {"current": key_id, "keys": keys, "index": index}


def load_keys(instance_path: Path) -> tuple[dict, Path | None]:
    """The keys from DATA_KEYS, else from instance/data_keys.json (made on first run)."""
    from_env = os.environ.get("DATA_KEYS")
    if from_env:
        return json.loads(from_env), None
    path = instance_path / "data_keys.json"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(new_key_file_content(), indent=1))
        path.chmod(0o600)
    return json.loads(path.read_text()), path


def configure(content: dict) -> None:
    global _keyring
    keys = {key_id: base64.b64decode(key) for key_id, key in content["keys"].items()}
    _keyring = Keyring(keys, content["current"], base64.b64decode(content["index"]))


def seal_text(value: str | None) -> str | None:
    if value is None or value == "" or value.startswith(PREFIX):
        return value
    return keyring().seal(value.encode())


def open_text(value: str | None) -> str | None:
    if value is None or not value.startswith(PREFIX):
        return value  # empty, or written before sealing (the migration seals those)
    return keyring().open(value).decode()


def blind_index(value: str | None) -> str | None:
    """The keyed hash an exact look-up uses; the value must be in its normal form."""
    if value is None or value == "":
        return None
    return hmac.new(keyring().index_key, value.encode(), hashlib.sha256).hexdigest()


class Sealed(TypeDecorator):
    """Text encrypted at rest. `length` is the longest plain value (forms check it); the
    stored text is longer. Such a column cannot be searched by fragment, sorted or
    compared in SQL: give it a blind index column for exact look-ups. Comparing it with a
    value raises rather than silently matching nothing (each sealing is different)."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        def operate(self, op, *other, **kwargs):
            # A plain value (or a list of them): it would be sealed anew and match nothing.
            # Column-to-column comparisons (SQLAlchemy's own bookkeeping) are left alone.
            if op in _COMPARISONS and any(value is not None and not isinstance(value, ClauseElement)
                                          for value in other):
                raise TypeError("an encrypted column cannot be compared in SQL; compare its "
                                "blind index (models.sealed.blind_index) instead")
            return super().operate(op, *other, **kwargs)

    def __init__(self, length: int | None = None, multiline: bool = False) -> None:
        super().__init__()
        self.length = length
        self.multiline = multiline

    def process_bind_param(self, value, dialect):
        return seal_text(value)

    def process_result_value(self, value, dialect):
        return open_text(value)


class SealedBytes(TypeDecorator):
    """Bytes encrypted at rest (an uploaded roster)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if not value:
            return value
        return keyring().seal(bytes(value)).encode()

    def process_result_value(self, value, dialect):
        if not value or not bytes(value).startswith(BYTES_PREFIX):
            return value
        return keyring().open(bytes(value).decode())


def index_default(column_name: str):
    """A column default filling a blind index from the row's own value, for INSERTs that
    do not go through the ORM (the seed, the import's batches)."""

    def default(context):
        return blind_index(context.get_current_parameters().get(column_name))

    return default
