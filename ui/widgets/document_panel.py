"""A panel that shows one thing as a page of rich text over a bar of buttons, or a hint
when there is nothing to show: the catalogue's item panel and the kit panel beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QLabel, QStackedLayout, QTextBrowser, QVBoxLayout, QWidget

from ui.widgets.layout import named
from ui.widgets.palette import ON_COLOUR

STYLESHEET = """
h1 { font-size: x-large; font-weight: 600; margin: 0; }
h2 { font-size: medium; font-weight: 600; margin-top: 16px; margin-bottom: 4px; }
p { margin-top: 2px; margin-bottom: 2px; }
td { padding: 3px 12px 3px 0; vertical-align: top; }
td.label { color: %(muted)s; }
.muted { color: %(muted)s; }
p.loan { margin-top: 4px; margin-bottom: 8px; }
.badge { color: %(on_colour)s; font-weight: 600; }
.warning { color: %(warning)s; font-weight: 600; }
"""


class DocumentPanel(QWidget):
    """The page (``show_page``) or the hint (``show_hint``); subclasses give the bar."""

    def __init__(
        self, hint: str, names: tuple[str, str], warning: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._hint = hint
        self._warning = warning
        empty_name, browser_name = names
        self._empty = named(QLabel(hint), empty_name)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._browser = named(QTextBrowser(), browser_name)
        self._browser.setOpenLinks(False)
        self._browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self._browser.document().setDocumentMargin(16)
        # Opening the thing from a list puts the keyboard here, to scroll the page.
        self.setFocusProxy(self._browser)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._empty)
        self._page: QWidget | None = None

    def add_page(self, bar: QWidget) -> None:
        """Lay the page out: the rich text, a rule, and ``bar`` beneath."""
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._browser, 1)
        layout.addWidget(rule)
        layout.addWidget(bar)
        self._page = page
        self._stack.addWidget(page)

    def show_page(self, html: str) -> None:
        """Show ``html`` (every value in it escaped), scrolled to its top."""
        assert self._page is not None, "add_page first"
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self._browser.document().setDefaultStyleSheet(
            STYLESHEET % {"muted": muted, "warning": self._warning, "on_colour": ON_COLOUR}
        )
        self._browser.setHtml(html)
        self._stack.setCurrentWidget(self._page)

    def show_hint(self, hint: str | None = None) -> None:
        """Show ``hint``, by default the one the panel was made with."""
        self._empty.setText(hint or self._hint)
        self._browser.clear()
        self._stack.setCurrentWidget(self._empty)

    def plain_text(self) -> str:
        """What a person can read in the panel now."""
        if self._stack.currentWidget() is self._empty:
            return self._empty.text()
        return self._browser.toPlainText()
