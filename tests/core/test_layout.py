"""The shape of the code: every feature a folder of the same modules, no import cycles.

- every module under app/ imports on its own, in an interpreter that has imported no
  other module of the app (an import that works only after another module happened to
  be imported first is a hidden cycle or a missing import);
- no cycle between the app's modules: the graph is built from every import statement,
  those inside functions included (an import moved into a function to dodge a cycle is
  still a cycle). Only an import whose line says ``# lazy: <why>`` is left out: one
  kept out of start-up on purpose (Alembic for the ``db`` commands, say);
- route modules speak HTTP only: no queries (``select(``), no ``.add(``, no
  ``.commit(`` of their own (they call ``app.core.db.commit_work()``), no
  ``os.environ`` (settings come from the app's configuration);
- nothing but ``__init__.py`` at the top of app/: code lives in a feature's folder or
  in app/core/.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"
ROUTE_MODULES = ("views.py", "actions.py", "canned_views.py", "leads.py", "manage.py")
FORBIDDEN_IN_ROUTES = ("select(", ".add(", ".commit(", "os.environ")
LAZY_MARK = re.compile(r"#\s*lazy:\s*\S")


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def app_modules() -> dict[str, Path]:
    """Dotted name → file of every module of the app package (not the Alembic scripts in
    app/migrations, which is no package: Alembic loads them itself)."""
    found = {}
    for path in sorted(APP.rglob("*.py")):
        folders = path.relative_to(REPO).parents
        if not all(_is_package(REPO / folder) for folder in folders if folder != Path(".")):
            continue
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = app_modules()


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The app modules one import statement names."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in MODULES)
        return
    base = node.module or ""
    if node.level:  # relative: from its package
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        if f"{base}.{alias.name}" in MODULES:
            yield f"{base}.{alias.name}"  # a module (`from app.cases import service`)
        elif base in MODULES:
            yield base  # a name in a module (`from app.cases.service import move`)


def import_graph() -> dict[str, set[str]]:
    """Module → the app modules it imports anywhere in its code, except `# lazy:` ones."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        edges: set[str] = set()
        for node in ast.walk(ast.parse(source, str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            statement = lines[node.lineno - 1:(node.end_lineno or node.lineno)]
            if any(LAZY_MARK.search(line) for line in statement):
                continue
            edges.update(_imported(module, path, node))
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_path(graph: dict[str, set[str]], component: list[str]) -> str:
    """One loop through the component, for the failure message: a → b → … → a."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    while True:
        step = sorted(graph[path[-1]] & members)
        nxt = next((name for name in step if name == start), None) or next(
            (name for name in step if name not in seen), None)
        if nxt is None or nxt == start:
            return " → ".join([*path, start])
        path.append(nxt)
        seen.add(nxt)


# A fresh interpreter that first imports every third-party package the app uses (they are
# not what is tested, and importing them once keeps this test fast), then forks one child
# per app module; each child imports that one module and nothing else of the app.
IMPORT_EACH = r"""
import importlib, json, os, sys, traceback
modules, third_party = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name in third_party:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # the child that needs it reports the error
assert not any(name == "app" or name.startswith("app.") for name in sys.modules)
failures = {}
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            message = b""
        except BaseException:
            message = traceback.format_exc().encode()
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    if message:
        failures[module] = message
print(json.dumps(failures))
"""


def _third_party() -> list[str]:
    names: set[str] = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return sorted(name for name in names
                  if name.split(".")[0] not in {"app", "dev", "tests", "bot", "__future__"})


def test_every_module_imports_on_its_own() -> None:
    assert hasattr(os, "fork"), "the import check forks one child per module (Linux, Toolforge)"
    result = subprocess.run(  # our own interpreter and script
        [sys.executable, "-c", IMPORT_EACH, json.dumps(sorted(MODULES)),
         json.dumps(_third_party())],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    assert not failures, "\n\n".join(f"{name}:\n{trace}" for name, trace in failures.items())


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(_cycle_path(graph, c) for c in found)


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert _cycle_path(graph, ["a", "b", "c"]) == "a → b → c → a"
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_count() -> None:
    source = ("def f():\n    from app.core import db\n\n"
              "def g():\n    import app.core.db  # lazy: why\n")
    tree = ast.parse(source)
    lines = source.splitlines()
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    counted = [list(_imported("app.x", APP / "x.py", n)) for n in nodes
               if not LAZY_MARK.search(lines[n.lineno - 1])]
    assert counted == [["app.core.db"]]


def route_modules() -> list[Path]:
    """Every module that holds routes: each feature's views.py and its other route
    modules (registered in app/__init__.py's MORE_ROUTES)."""
    return sorted(path for path in APP.rglob("*.py")
                  if path.name in ROUTE_MODULES and path.parent != APP)


def test_route_modules_speak_http_only() -> None:
    offences = []
    for path in route_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            offences += [f"{path.relative_to(REPO)}:{number}: {word} in {line.strip()!r}"
                         for word in FORBIDDEN_IN_ROUTES if word in line]
    assert not offences, ("route modules read through queries.py, change through "
                          "service.py and commit with commit_work():\n" + "\n".join(offences))


def test_route_modules_are_found() -> None:
    names = {path.relative_to(APP).as_posix() for path in route_modules()}
    assert {"cases/views.py", "cases/actions.py", "cases/canned_views.py",
            "auth/views.py", "admin/views.py"} <= names


def test_nothing_but_the_package_at_the_top_of_app() -> None:
    loose = sorted(path.name for path in APP.glob("*.py") if path.name != "__init__.py")
    assert not loose, f"modules at the top of app/ (move them into a feature or app/core/): {loose}"
