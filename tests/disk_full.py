"""A full disk without privileges: a limit on the size of any file the process writes.

With ``RLIMIT_FSIZE`` set and ``SIGXFSZ`` ignored, a write past the limit fails with
``EFBIG`` ("File too large"), just as a write to a full disk fails with ``ENOSPC``: the
bytes before the limit land, the rest do not, and the writer is told.
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def limit_file_size(limit: int) -> Callable[[], None]:
    """A ``preexec_fn`` that starts a subprocess with files limited to ``limit`` bytes."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Limit files this process writes to ``limit`` bytes, for the ``with`` block only."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
