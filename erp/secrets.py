"""Connection secrets, encrypted at rest with keys from the environment.

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys, newest first: the first encrypts, all decrypt, so a
key is rotated by putting a new one in front and running ``manage.py rotate_secrets``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _keys(configured: tuple[str, ...], secret_key: str) -> MultiFernet:
    if configured:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    # Development fallback: a key derived from SECRET_KEY (a deploy check asks for real keys).
    derived = base64.urlsafe_b64encode(hashlib.sha256(f"erp-portal:{secret_key}".encode()).digest())
    return MultiFernet([Fernet(derived)])


def fernet() -> MultiFernet:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def seal(values: dict[str, str]) -> str:
    """Encrypt a dict of secrets (empty dict: empty string)."""
    if not values:
        return ""
    return fernet().encrypt(json.dumps(values).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        values: dict[str, str] = json.loads(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ValueError(
            "The stored secrets cannot be decrypted with FIELD_ENCRYPTION_KEYS; "
            "restore the old key (as a later entry) or enter the secrets again."
        ) from None
    return values


def reseal(token: str) -> str:
    """The same secrets, encrypted with the newest key."""
    return fernet().rotate(token.encode()).decode() if token else ""
