"""``kitshare-admin``: the command line, with Qt's page layout for the printing commands.

The commands live in the ``app.cli`` package; printing needs Qt, which only ``ui`` may
import, so the program starts here and hands ``app.cli.main`` the PDF writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.printing.documents import Printable


def write_pdf(source: Printable, path: Path) -> int:
    # Qt loads only for the commands that print; the rest start as quickly as before.
    from ui.printing.documents import write_pdf as write

    return write(source, path)


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli.main import main as run

    return run(argv, pdf_writer=write_pdf)


if __name__ == "__main__":
    raise SystemExit(main())
