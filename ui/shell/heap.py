"""The objects made at start, taken out of the garbage collector's reach.

Modules, classes, SQLAlchemy's mappers and compiled statements, Qt's wrappers: some
150,000 objects made at start and kept for the life of the process. Python's full
collection walks every object it tracks, all of them each time, which takes about
100 ms on a station PC: a stall whenever it falls in the middle of scrolling the
planner or typing a search. Frozen once the window is up (``gc.freeze``), they are
left out, and a full collection walks only what the work has made since.
"""

from __future__ import annotations

import gc


def freeze_what_start_made() -> None:
    """Collect what start-up left as garbage, then freeze everything still alive."""
    gc.collect()
    gc.freeze()
