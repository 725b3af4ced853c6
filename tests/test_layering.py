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
# ``python -m app`` must open the window, so this one shim may reach up into ui.
ALLOWED_EXCEPTIONS = {ROOT / "app" / "__main__.py"}


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
