"""Loaded by every Python process of ``make test-far-date`` (through PYTHONPATH).

libfaketime 0.9.10 (Debian 12's) with FAKETIME_DONT_FAKE_MONOTONIC=1 turns the sleep
that Python 3.11's ``time.sleep`` makes (``clock_nanosleep`` on the monotonic clock, to
an absolute deadline) into EINVAL: it shifts the deadline by the fake offset although
the monotonic clock is not faked. Timed waits on a lock are not touched, so sleep by
one of those instead. Without that variable the same waits never end, the other way
round. Kit Share itself never runs with this file.
"""

from __future__ import annotations

import os
import threading
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        threading.Event().wait(seconds)

    time.sleep = _sleep
