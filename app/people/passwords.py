"""Password hashing with argon2; plain passwords are never stored or logged."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults (RFC 9106's second recommendation: argon2id, 64 MiB, 3 passes):
# about a tenth of a second a hash on a station PC, slow on purpose for an attacker.
STATION_HASHER = PasswordHasher()

_hasher = STATION_HASHER


def hash_password(plain: str) -> str:
    """An argon2id hash of ``plain``, with its own salt."""
    return _hasher.hash(plain)


def verify_password(stored_hash: str, plain: str) -> bool:
    """Whether ``plain`` matches ``stored_hash``; a damaged hash never matches.

    The cost is the one written in the hash, whichever hasher made it.
    """
    try:
        return _hasher.verify(stored_hash, plain)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash new passwords with ``hasher`` from here on; returns the one it replaces.

    For the tests, which make thousands of hashes and would spend minutes on the
    station's cost; Kit Share itself never calls it.
    """
    global _hasher  # noqa: PLW0603 - one hasher for the process, as with the clock
    previous = _hasher
    _hasher = hasher
    return previous
