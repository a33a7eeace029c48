"""The package's layout rules, read from its source: short signatures, no import circle.

A function (other than a constructor) takes at most eight parameters: settings
that travel together travel as one object.  No module of the package imports,
directly or through others (lazy imports inside functions included), a module
that imports it back.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skae"
MAX_PARAMETERS = 8


def _modules():
    """``{dotted name: parsed source}`` of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return found


def long_signatures(modules):
    """``"module.function (n)"`` for each function taking more than :data:`MAX_PARAMETERS`."""
    long = []
    for name, (_, tree) in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name != "__init__":
                args = node.args
                params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                if params and params[0] in ("self", "cls"):
                    params = params[1:]
                if len(params) > MAX_PARAMETERS:
                    long.append(f"{name}.{node.name} ({len(params)})")
    return long


def import_graph(modules):
    """``{module: modules of the package it imports}`` (relative imports, anywhere in it)."""
    graph = {}
    for name, (path, tree) in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                targets = ([".".join(base + [node.module])] if node.module else
                           [".".join(base + [alias.name]) for alias in node.names])
                edges.update(t for t in targets if t in modules and t != name)
        graph[name] = edges
    return graph


def circles(graph):
    """Every import circle of ``graph``, as a list of modules (empty without)."""
    found, done = [], set()

    def visit(node, path):
        for nxt in sorted(graph[node]):
            if nxt in path:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return found


def test_no_function_takes_more_than_eight_parameters():
    assert long_signatures(_modules()) == []


def test_no_import_circle():
    graph = import_graph(_modules())
    assert graph["skae._autoencoder"], "the import graph was not read"
    assert circles(graph) == []


def test_the_checks_catch_what_they_guard_against():
    tree = ast.parse("def f(a, b, c, d, e, f, g, h, *, i=0):\n    pass\n")
    assert long_signatures({"m": (PACKAGE / "m.py", tree)}) == ["m.f (9)"]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
