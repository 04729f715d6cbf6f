"""The package layout's rules (python_backend/h2o_backend): arrows point from the web layer to the
engine, never back, and each package says what it is for."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "python_backend" / "h2o_backend"

# package -> the h2o_backend packages its modules must not import (at top level or inside functions)
FORBIDDEN = {
    "engine": ("h2o_backend.server", "h2o_backend.webui", "h2o_backend.cli", "h2o_backend.jobs"),
    "cluster": ("h2o_backend.server", "h2o_backend.webui", "h2o_backend.cli", "h2o_backend.jobs"),
    "export": ("h2o_backend.server", "h2o_backend.webui", "h2o_backend.cli"),
    "frames": ("h2o_backend.server", "h2o_backend.engine", "h2o_backend.webui"),
    "parse": ("h2o_backend.server", "h2o_backend.engine", "h2o_backend.webui"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_points_back_to_the_web_layer(package):
    offending = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offending.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert not offending, "\n".join(offending)


def test_the_rule_catches_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from h2o_backend.server.errors import ApiError\n")
    assert (2, "h2o_backend.server.errors") in imported_modules(module)


def test_every_package_states_its_purpose():
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc) > 40, f"{init.relative_to(PACKAGE)} has no docstring saying what the package is for"


def test_no_module_is_over_600_lines():
    long = [f"{p.relative_to(PACKAGE)}: {n}" for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600]
    assert not long, long
