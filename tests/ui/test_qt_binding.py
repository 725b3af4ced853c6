"""The Qt binding must not leak or drop references on calls the app makes in bulk.

PySide6 6.12.0 dropped a reference to ``None`` on every call that returns nothing
(``QPainter.save``, ``drawRect``…). On Python 3.11, where ``None`` is not immortal, a
label sheet's few thousand such calls aborted the process ("deallocating None").
pyproject.toml keeps that release out; this test catches one that does it again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

# Few enough that a broken binding fails the assertion before it aborts the process.
CALLS = 500


def test_calls_returning_nothing_keep_none_alive(qapp: QApplication) -> None:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            painter.save()
            painter.drawRect(QRectF(1, 1, 4, 4))
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # A correct binding leaves the count where it was, give or take a few references
    # held elsewhere; the broken one loses three per loop.
    assert before - after < CALLS // 10, f"None lost {before - after} references"
