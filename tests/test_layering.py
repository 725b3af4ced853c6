"""The house's rules, held by reading the code: dependencies point one way (ui → app →
models), no module reaches into another's private names, no import circles, no reads of
the system clock but one, and no file or function too long to read.

Every checker has a test of its own proving that it catches what it is for.
"""

from __future__ import annotations

import ast
import enum
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("app", "ui", "models")

# What each layer may not import.
FORBIDDEN = {
    "models": {"app", "ui", "PySide6"},
    "app": {"ui", "PySide6"},
    "migrations": {"app", "ui", "PySide6"},
    # Widgets talk to services, never to the database: no SQL, no ORM objects.
    "ui": {"sqlalchemy"},
}
# Where the limits on size do not apply: data, and history.
LONG_ALLOWED = {ROOT / "app" / "demo" / "data.py"}
MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 80


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# -- layers ---------------------------------------------------------------------------------


def imported_top_levels(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    files = python_files(layer)
    assert files, f"no Python files found under {layer}/"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[layer])
        for path in files
        if imported_top_levels(path) & FORBIDDEN[layer]
    }
    assert offenders == {}, f"{layer}/ imports what it may not: {offenders}"


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from ui.main import main\nimport PySide6.QtCore\n", encoding="utf-8")
    assert imported_top_levels(sample) == {"ui", "PySide6"}


def names_from_models(path: Path) -> set[str]:
    """The names a file takes from ``models`` (``from models import X``, ``models.X``)."""
    names: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "models" or node.module.startswith("models."):
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("models"))
    return names


def not_enums(names: Iterable[str]) -> set[str]:
    models = importlib.import_module("models")
    return {
        name
        for name in names
        if not (
            isinstance(found := getattr(models, name, None), type) and issubclass(found, enum.Enum)
        )
    }


def test_ui_takes_only_enums_from_models() -> None:
    """The window gets plain data from the services; an ORM object in a widget would
    outlive its session. Enums are values, and the window may name them."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(wrong)
        for path in python_files("ui")
        if (wrong := not_enums(names_from_models(path)))
    }
    assert offenders == {}, f"ui/ takes more than enums from models: {offenders}"


def test_the_checker_sees_a_model_in_the_ui(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from models import EquipmentItem, ItemStatus\n", encoding="utf-8")
    assert not_enums(names_from_models(sample)) == {"EquipmentItem"}


# -- private names ----------------------------------------------------------------------------


def private_reach_ins(path: Path) -> list[str]:
    """``from a.b import _name`` and ``module._name`` uses of another module's privates."""
    tree = parse(path)
    found: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in LAYERS:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LAYERS:
                    modules.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_reaches_into_another_modules_private_names() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in python_files(*LAYERS, "bench")
        if (found := private_reach_ins(path))
    }
    assert offenders == {}, f"make these public where they belong, or move them: {offenders}"


def test_the_checker_sees_a_private_reach_in(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from app.cli import common\nfrom app.cli.main import _acting, main\n"
        "common._print_json(1)\n",
        encoding="utf-8",
    )
    assert private_reach_ins(sample) == [
        "2: from app.cli.main import _acting",
        "3: common._print_json",
    ]


# -- import circles -------------------------------------------------------------------------


def _under_type_checking(tree: ast.Module) -> set[int]:
    """Ids of import nodes inside ``if TYPE_CHECKING:``: they never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def import_graph(root: Path, folders: Iterable[str]) -> dict[str, set[str]]:
    """Module → the modules of the tree it imports (at run time, anywhere in the file)."""
    paths = {module_name(path, root): path for f in folders for path in (root / f).rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _under_type_checking(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                targets.append(node.module)
            for dotted in targets:
                target = dotted
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                # A package's __init__ is not a dependency of its own modules.
                if target and target != name and not name.startswith(f"{target}."):
                    graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_circles(layer: str) -> None:
    assert circles(import_graph(ROOT, [layer])) == []


def test_the_checker_sees_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "app"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli" / "__init__.py").write_text("")
    (package / "cli" / "main.py").write_text("from app.cli import backup\n")
    (package / "cli" / "backup.py").write_text(
        "from typing import TYPE_CHECKING\nfrom app.cli.main import EXIT_OK\n"
        "if TYPE_CHECKING:\n    from app.other import Thing\n"
    )
    (package / "other.py").write_text("from app.cli.main import main\n")
    assert circles(import_graph(tmp_path, ["app"])) == [["app.cli.backup", "app.cli.main"]]


# -- the clock ------------------------------------------------------------------------------

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
    found = []
    for node in ast.walk(parse(path)):
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
        for path in python_files("app", "ui", "models", "tests")
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


# -- sizes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TooLong:
    where: str
    lines: int


def too_long(path: Path, root: Path = ROOT) -> list[TooLong]:
    """The file, if over the limit, and each function over the limit."""
    found = []
    where = path.relative_to(root)
    length = len(path.read_text(encoding="utf-8").splitlines())
    if length > MAX_FILE_LINES:
        found.append(TooLong(str(where), length))
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append(TooLong(f"{where}:{node.lineno} {node.name}", lines))
    return found


def test_no_file_or_function_too_long_to_read() -> None:
    offenders = [
        long
        for path in python_files("app", "ui", "models")
        if path not in LONG_ALLOWED
        for long in too_long(path)
    ]
    assert offenders == [], (
        f"files stay under {MAX_FILE_LINES} lines and functions under "
        f"{MAX_FUNCTION_LINES}: split these: {offenders}"
    )


def test_the_size_checker_sees_a_long_function_and_file(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    padding = "\n" * MAX_FILE_LINES
    sample.write_text(f"def long():\n{body}{padding}", encoding="utf-8")
    assert too_long(sample, tmp_path) == [
        TooLong("sample.py", MAX_FILE_LINES + MAX_FUNCTION_LINES + 1),
        TooLong("sample.py:1 long", MAX_FUNCTION_LINES + 1),
    ]
