"""No import cycles inside h2o_backend: the first-party module import graph, built from the AST of
every file, has no strongly connected component of more than one module.

Every import counts, also those inside functions: a deferred import only hides a cycle until the
order of first use changes (server/context -> app -> recovery -> lookup -> context was one).
``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``; and
importing ``pkg.sub`` is also an edge to ``pkg`` (its __init__ runs first: a package that imports
its submodules closes a cycle through any of them), except for the importer's own packages."""
from __future__ import annotations

import ast
import importlib
import pathlib

import h2o_backend

ROOT = pathlib.Path(h2o_backend.__file__).parent
KNOWN_CYCLES: list[list[str]] = []


def modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("h2o_backend", *path.relative_to(ROOT).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: pathlib.Path, known: dict) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known}
            out |= subs
            if len(subs) < len(node.names):
                out.add(target)
    out = {m for m in out if m in known and m != name}
    return out | {p for m in out for p in _packages_run_first(m, package, known)}


def _packages_run_first(module: str, importer_package: str, known) -> set[str]:
    """The packages whose __init__ runs when ``module`` is imported (``a.b.c``: ``a`` and ``a.b``),
    but not the importer's own ones (already running): a package __init__ that imports its
    submodules is part of every import of one of them."""
    parts = module.split(".")
    own = set(importer_package.split(".")) and {".".join(importer_package.split(".")[:i])
                                                 for i in range(1, len(importer_package.split(".")) + 1)}
    return {p for p in (".".join(parts[:i]) for i in range(1, len(parts))) if p in known and p not in own}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return sorted(found)


def test_cycle_finder_finds_a_cycle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_module_imports():
    for name in modules():
        importlib.import_module(name)


def test_no_import_cycles_in_h2o_backend():
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert graph["h2o_backend.server.app"] >= {"h2o_backend.server.context", "h2o_backend.server.recovery"}
    found = cycles(graph)
    assert [c for c in found if c not in KNOWN_CYCLES] == [], f"import cycles: {found}"
