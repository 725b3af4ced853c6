"""Password hashing with argon2; plain passwords are never stored or logged."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()


def hash_password(plain: str) -> str:
    """An argon2id hash of ``plain``, with its own salt."""
    return _HASHER.hash(plain)


def verify_password(stored_hash: str, plain: str) -> bool:
    """Whether ``plain`` matches ``stored_hash``; a damaged hash never matches."""
    try:
        return _HASHER.verify(stored_hash, plain)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
