"""The window's figures: start-up, keystroke-to-rows, scrolling to the end, peak memory.

Each database is measured in a fresh process (``python -m bench.window --probe PATH``)
that starts the real window offscreen, the way ``kitshare`` does, so start-up counts the
interpreter, the imports and the first page, and the peak RSS is the window's own.

* **start-up**: from launching the process to the window shown with its first page of
  rows in the table and the first item in the panel.
* **keystroke-to-rows**: for each query, its text is typed key by key (as fast as Qt
  takes them) and the clock starts at the last key; it stops when the rows of that
  query are painted. It includes the search box's pause for more typing
  (``DEBOUNCE_MS``), the search on a worker thread, the table's reset and paint, and
  showing the first item in the panel.
* **scroll to the end**: the view is scrolled to the bottom again and again until every
  row of the broadest query is fetched; the longest single step is the worst stall.
* **peak RSS**: the process's high-water mark after all of that.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# The query the scroll-to-the-end runs on: among the broadest of the bench's words.
SCROLL_QUERY = "hunt"
PROBE_TIMEOUT_S = 900


def run_probe(path: Path, queries: list[str], log: Any = None) -> dict[str, Any]:
    """Measure the window on the database at ``path`` in a fresh process."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "bench.window", "--probe", str(path), *queries]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    assert process.stdout is not None
    ready_line = process.stdout.readline()
    startup = time.perf_counter() - started
    try:
        rest, errors = process.communicate(timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise RuntimeError(f"the window probe on {path} took over {PROBE_TIMEOUT_S} s") from None
    if process.returncode != 0 or ready_line.strip() != "READY":
        raise RuntimeError(f"the window probe on {path} failed:\n{errors.strip()}")
    figures: dict[str, Any] = json.loads(rest)
    figures["startup_s"] = startup
    return figures


def _probe(path: Path, queries: list[str]) -> int:
    """The child: open the window like ``kitshare`` does, then measure it."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.core.actor import Actor
    from app.storage.database import open_database
    from models import Role
    from ui.shell.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    db = open_database(f"sqlite:///{path}")
    # Signed in from the start, as a duty officer just past the sign-in page: with nobody
    # signed in the window shows only that page and no rows ever arrive.
    window = MainWindow(db, Actor(name="Bench duty officer (bench)", role=Role.DUTY_OFFICER))
    shown: list[float] = []
    window.results_shown.connect(lambda: shown.append(time.perf_counter()))
    window.show()
    _wait(app, lambda: bool(shown))
    window.table.viewport().repaint()
    print("READY", flush=True)

    box = window.search_bar.search_box
    latencies: list[dict[str, Any]] = []
    for text in queries:
        box.clear()
        window.search_bar.cancel_pending()
        _wait(app, lambda: not window.searching)
        QTest.keyClicks(box, text[:-1])
        shown.clear()
        started = time.perf_counter()
        QTest.keyClicks(box, text[-1])
        _wait(app, lambda text=text: bool(shown) and window.model.request.query == text)
        window.table.viewport().repaint()
        latencies.append(
            {
                "query": text,
                "ms": (time.perf_counter() - started) * 1000,
                "total": window.model.total,
            }
        )

    # Scroll to the end of the broadest query's rows.
    box.clear()
    QTest.keyClicks(box, SCROLL_QUERY)
    QTest.keyClick(box, Qt.Key.Key_Return)
    _wait(app, lambda: window.model.request.query == SCROLL_QUERY and not window.searching)
    steps: list[float] = []
    scroll_started = time.perf_counter()
    while window.model.canFetchMore(QModelIndex()):
        step = time.perf_counter()
        window.table.scrollToBottom()
        app.processEvents()
        steps.append((time.perf_counter() - step) * 1000)
    scroll_total = time.perf_counter() - scroll_started

    import resource

    figures = {
        "keystrokes": latencies,
        "scroll": {
            "query": SCROLL_QUERY,
            "rows": window.model.rowCount(),
            "total": window.model.total,
            "steps": len(steps),
            "longest_step_ms": max(steps, default=0.0),
            "seconds": scroll_total,
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    window.close()
    db.dispose()
    print(json.dumps(figures), flush=True)
    # The figures are out; skip the interpreter's teardown of Qt objects, which can
    # crash in PySide6 after the measuring is done and would only add noise.
    os._exit(0)


def _wait(app: Any, done: Any, timeout_s: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.0005)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.window", description=__doc__)
    parser.add_argument("--probe", type=Path, required=True, help="the database to measure")
    parser.add_argument("queries", nargs="*", help="queries to type")
    args = parser.parse_args(argv)
    return _probe(args.probe, args.queries)


if __name__ == "__main__":
    raise SystemExit(main())
