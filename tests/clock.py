"""The clock a test runs on: Kit Share's "now" (``app.core.clock``), under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class TestClock:
    """Follows the system clock until a test sets it; then runs on from the moment set,
    or stands still there when ``running`` is False.

    A running clock keeps time moving forward within a test (audit events in order,
    lock-outs that lapse), while the day is the test's choice, not the calendar's.
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._stopped: datetime | None = None

    def __call__(self) -> datetime:
        if self._stopped is not None:
            return self._stopped
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime, *, running: bool = True) -> None:
        """Make it ``moment`` now (an aware datetime)."""
        if moment.tzinfo is None:
            raise ValueError("the test clock takes only time-zone-aware moments")
        if running:
            self._stopped = None
            self._offset = moment - datetime.now(UTC)
        else:
            self._stopped = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock on (or back, with a negative ``delta``)."""
        if self._stopped is not None:
            self._stopped += delta
        else:
            self._offset += delta
