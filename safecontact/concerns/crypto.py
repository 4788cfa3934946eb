"""Encryption at rest for case files: narratives, chronology, rationale, contacts, images.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS``: a list of Fernet keys, newest
first. The first key encrypts; every key decrypts (``MultiFernet``).

Rotating keys
-------------
1. Make a new key: ``python -c "from cryptography.fernet import Fernet;
   print(Fernet.generate_key().decode())"``.
2. Put it FIRST in ``FIELD_ENCRYPTION_KEYS`` (comma-separated), keeping the old
   keys after it, and restart. New writes use the new key; old rows still read.
3. Run ``python manage.py rotate_case_keys`` (dry run: counts only), then
   ``python manage.py rotate_case_keys --apply`` to re-encrypt every stored value
   with the newest key, group audits and uploads waiting for their audit too.
4. Once that reports nothing left on an old key, remove the old key and restart.
Never remove a key before step 3 has finished: rows still on it become unreadable.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(bytes(token))
    except InvalidToken:
        raise DecryptionError(
            "A case record could not be decrypted: is its key in FIELD_ENCRYPTION_KEYS?"
        ) from None


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode()).decode()


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode()).decode()


def rotate_token(token: bytes) -> bytes:
    """Re-encrypt ``token`` with the newest key (whatever key made it)."""
    return fernet().rotate(bytes(token))


def is_on_newest_key(token: bytes) -> bool:
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    try:
        newest.decrypt(bytes(token))
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """Text held in Python as plain ``str`` and in the database as a Fernet token.

    Not searchable or orderable in SQL, by design. Empty strings stay empty so
    "not given" does not need a key to read.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


def encrypted_field_names(model: type[models.Model]) -> set[str]:
    return {
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField) or getattr(f, "encrypted", False)
    }
