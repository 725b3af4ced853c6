"""Dependencies point one way: ui → app → models. Widgets never hold the only copy of a rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer may not import.
FORBIDDEN = {
    "models": {"app", "ui", "PySide6"},
    "app": {"ui", "PySide6"},
    "migrations": {"app", "ui", "PySide6"},
}
ALLOWED_EXCEPTIONS: set[Path] = set()


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    files = [p for p in (ROOT / layer).rglob("*.py") if p not in ALLOWED_EXCEPTIONS]
    assert files, f"no Python files found under {layer}/"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[layer])
        for path in files
        if imported_top_levels(path) & FORBIDDEN[layer]
    }
    assert offenders == {}, f"{layer}/ imports a layer above it: {offenders}"


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from ui.main import main\nimport PySide6.QtCore\n", encoding="utf-8")
    assert imported_top_levels(sample) == {"ui", "PySide6"}


# Where "now" may be read from the system: the one clock, and the models' fallback
# before the clock hands itself in.
CLOCK_READERS = {ROOT / "app" / "core" / "clock.py", ROOT / "models" / "base.py"}
SYSTEM_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("QDateTime", "currentDateTime"),
    ("QDateTime", "currentDateTimeUtc"),
    ("QDate", "currentDate"),
    ("QTime", "currentTime"),
}


def system_clock_reads(path: Path) -> list[str]:
    """Each ``datetime.now()``-like call in a file, as ``line: call``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in SYSTEM_CLOCK_CALLS
        ):
            found.append(f"{node.lineno}: {node.func.value.id}.{node.func.attr}()")
    return found


def test_only_the_clock_reads_the_time_of_day() -> None:
    """Tests set the day through app.core.clock; a stray system read would ignore them."""
    files = [
        path
        for layer in ("app", "ui", "models", "tests")
        for path in (ROOT / layer).rglob("*.py")
        if path not in CLOCK_READERS and path.name != "clock.py"
    ]
    offenders = {
        str(path.relative_to(ROOT)): reads for path in files if (reads := system_clock_reads(path))
    }
    assert offenders == {}, f"read the system clock, not app.core.clock.now_utc(): {offenders}"


def test_the_clock_checker_sees_a_stray_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from datetime import date, datetime\nx = datetime.now()\ny = date.today()\n",
        encoding="utf-8",
    )
    assert system_clock_reads(sample) == ["2: datetime.now()", "3: date.today()"]
