"""One way through: no Winnow app is imported inside a function to dodge a cycle (import-linter's layers contract
checks the direction of module-level imports; this checks that none hides inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def _winnow_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if config.name.startswith("winnow.")}


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.lineno, node.module))
            elif isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def test_it_finds_no_app_import_inside_a_function() -> None:
    app_names = _winnow_apps()
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or path.name in ("apps.py", "conftest.py"):
            continue
        for line, module in _function_level_imports(path):
            if any(module == app or module.startswith(app + ".") for app in app_names):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{line}: {module}")
    assert offenders == []


def test_it_would_notice_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from winnow.linkage.services import people_link\n")
    assert _function_level_imports(sample) == [(2, "winnow.linkage.services")]
