"""``kitshare-admin`` commands for issue 8 (transfer); registered by ``app.cli.build_parser``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.cli import Subcommands


def add_commands(commands: Subcommands) -> None:
    """Add this module's commands to ``kitshare-admin``."""
