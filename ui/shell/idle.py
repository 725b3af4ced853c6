"""Noticing when no one has touched the window for a while, so it can lock itself.

A station PC is shared by a watch: someone called away mid-shift must not leave the
next person acting in their name. Any key press, click, wheel turn or mouse movement in
the application starts the wait again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Says ``idle`` once ``minutes`` pass with no input; 0 minutes never says it."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.minutes = minutes
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer (Qt's default) reports a stale remaining time after a restart.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def remaining_ms(self) -> int:
        """Milliseconds left before ``idle`` is said; -1 when not waiting."""
        return self._timer.remainingTime()

    def start(self) -> None:
        """Start (or restart) the wait; does nothing when locking is off."""
        if self.minutes > 0:
            self._timer.start(self.minutes * 60_000)

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False
