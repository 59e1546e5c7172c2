"""Imports point one way: cli, web -> exports -> counting -> store -> formats -> shared; and
the figures have one door.

Read from the source with `ast` (function-level imports included), so an import against the
direction, or an import circle anywhere, fails the suite before it can be merged. Legal
imports are not enough for the figures: outside the rules, their keeping and the door
(`collector/counting/figures.py`), no SQL names a machine's state value or a kept table,
and nothing else calls `catch_up`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("agent", "collector", "shared")

# What each collector package may import (besides itself and the standard library).
COLLECTOR_MAY_IMPORT = {
    "formats": {"shared"},
    "store": {"formats", "shared"},
    "counting": {"store", "formats", "shared"},
    "exports": {"counting", "store", "formats", "shared"},
    "web": {"exports", "counting", "store", "formats", "shared"},
    "cli": {"web", "exports", "counting", "store", "formats", "shared"},
}
# The agent modules that hand a report to delivery; collection itself never imports it.
AGENT_DELIVERY_USERS = {"agent.cli", "agent.install", "agent.status"}


def module_files(root=ROOT):
    """Every module of the three top packages: dotted name -> path."""
    modules = {}
    for top in TOP_PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(name, path, modules):
    """The project modules `name` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root=ROOT):
    modules = module_files(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def direction_problems(graph):
    """Lines naming each import that goes against the allowed direction."""
    problems = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            if not allowed(importer, target):
                problems.append(f"{importer} imports {target}")
    return problems


def allowed(importer, target):
    top, target_top = importer.split(".")[0], target.split(".")[0]
    if top == "shared":
        return target_top == "shared"
    if top == "agent":
        if target_top == "collector":
            return False
        if target.startswith("agent.delivery") and not importer.startswith("agent.delivery"):
            return importer in AGENT_DELIVERY_USERS
        if importer.startswith("agent.delivery") and target_top == "agent":
            return target.startswith("agent.delivery") or target == "agent"
        return True
    # collector
    if target_top == "agent":
        return False
    if target_top == "shared":
        return True
    layer = importer.split(".")[1] if importer.count(".") else None
    target_layer = target.split(".")[1] if target.count(".") else None
    if layer is None or target_layer is None:
        return False  # collector/__init__ holds no code, and nothing imports it
    return layer == target_layer or target_layer in COLLECTOR_MAY_IMPORT[layer]


def cycles(graph):
    """Import circles (Tarjan's strongly connected components of two or more modules)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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


def test_imports_point_one_way():
    assert direction_problems(import_graph()) == []


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_collector_code_lives_in_its_packages():
    loose = [p.name for p in (ROOT / "collector").glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    for package in COLLECTOR_MAY_IMPORT:
        init = ROOT / "collector" / package / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def write_tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_check_catches_a_wrong_way_import_and_a_circle(tmp_path):
    write_tree(
        tmp_path,
        {
            "shared/__init__.py": "",
            "agent/__init__.py": "",
            "collector/__init__.py": "",
            "collector/store/__init__.py": "",
            "collector/store/db.py": "def open_db(): pass\n",
            "collector/store/ingest.py": "def f():\n    from ..counting import rollup\n",
            "collector/counting/__init__.py": "",
            "collector/counting/rollup.py": "from collector.store.db import open_db\n",
            "collector/web/__init__.py": "",
            "collector/web/a.py": "from collector.web import b\n",
            "collector/web/b.py": "import collector.web.a\n",
        },
    )
    graph = import_graph(tmp_path)
    assert direction_problems(graph) == ["collector.store.ingest imports collector.counting.rollup"]
    assert cycles(graph) == [["collector.web.a", "collector.web.b"]]


# The rules, their keeping and the door; the schema that creates the kept tables.
FIGURES_INSIDE = {
    "collector.counting.states",
    "collector.counting.kept",
    "collector.counting.figures",
    "collector.store.migrations",
}
KEPT_TABLES = (
    "machine_now",
    "unit_now",
    "unit_days",
    "conflict_days",
    "shared_now",
    "day_duplicates",
    "kept_days",
    "kept_state",
    "kept_marks",
    "kept_retirements",
    "kept_assignments",
    "unit_next",
    "day_names",
    "unit_shared_now",
    "figures_version",
)
STATE_VALUES = ("protected", "unprotected", "exempt", "missing", "stale", "retired")
KEPT_TABLE = re.compile(r"\b(?:" + "|".join(KEPT_TABLES) + r")\b")
STATE_VALUE = re.compile(r"'(?:" + "|".join(STATE_VALUES) + r")'")


def _docstrings(tree):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def door_problems(root=ROOT):
    """Lines naming each string that names a state value or a kept table, and each call of
    `catch_up`, outside FIGURES_INSIDE."""
    problems = []
    for name, path in sorted(module_files(root).items()):
        if not name.startswith("collector.") or name in FIGURES_INSIDE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                for pattern, what in ((STATE_VALUE, "a state value"), (KEPT_TABLE, "a kept table")):
                    match = pattern.search(node.value)
                    if match:
                        problems.append((name, node.lineno, f"names {what} ({match[0]})"))
            called = None
            if isinstance(node, ast.Attribute):
                called = node.attr
            elif isinstance(node, ast.Name):
                called = node.id
            elif isinstance(node, ast.alias):
                called = node.name
            if called == "catch_up":
                problems.append((name, getattr(node, "lineno", 0), "calls catch_up"))
    return [f"{name}:{line} {what}" for name, line, what in sorted(problems)]


def test_the_figures_have_one_door():
    assert door_problems() == []


def test_the_door_check_catches_a_reader_that_reaches_in(tmp_path):
    write_tree(
        tmp_path,
        {
            "shared/__init__.py": "",
            "agent/__init__.py": "",
            "collector/__init__.py": "",
            "collector/counting/__init__.py": "",
            "collector/counting/kept.py": "def catch_up(db):\n    db.execute('DELETE FROM kept_marks')\n",
            "collector/counting/figures.py": (
                "from collector.counting import kept\n"
                "def keep(db):\n    kept.catch_up(db)\n"
                "def seen(db):\n    return db.execute(\"SELECT * FROM machine_now WHERE state != 'stale'\")\n"
            ),
            "collector/counting/reconcile.py": (
                '"""Reads machine_now (a docstring may say so)."""\n'
                "from collector.counting import kept\n"
                "def seen(db):\n    kept.catch_up(db)\n"
                "    return db.execute(\"SELECT * FROM machine_now WHERE state != 'stale'\")\n"
            ),
            "collector/exports/__init__.py": "",
            "collector/exports/letter.py": (
                "from collector.counting.kept import catch_up\n"
                "STATE = 'missing'  # a value in Python, not SQL\n"
                "def n(db, unit):\n"
                "    return db.execute(f\"SELECT count(*) FROM unit_now WHERE unit = '{unit}'\")\n"
                "INSTALLED = \"state IN ('protected', 'unprotected')\"\n"
            ),
        },
    )
    assert door_problems(tmp_path) == [
        "collector.counting.reconcile:4 calls catch_up",
        "collector.counting.reconcile:5 names a kept table (machine_now)",
        "collector.counting.reconcile:5 names a state value ('stale')",
        "collector.exports.letter:1 calls catch_up",
        "collector.exports.letter:4 names a kept table (unit_now)",
        "collector.exports.letter:5 names a state value ('protected')",
    ]
