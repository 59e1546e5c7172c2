"""Nothing in agent/ starts PowerShell, and the Windows collection starts no process at all.

An encoded PowerShell command line matches SigmaHQ's "suspicious encoded PowerShell" rule;
the antivirus the report counts may kill it, and the PC would report `unknown`.
"""

from __future__ import annotations

import ast
from pathlib import Path

AGENT = Path(__file__).resolve().parents[2] / "agent"
FORBIDDEN = ("powershell.exe", "pwsh", "-encodedcommand", "-executionpolicy", "wmic")


def code_strings(path):
    """The string constants of a module's code, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_string_in_agent_names_powershell():
    for path in AGENT.rglob("*.py"):
        for text in code_strings(path):
            assert not any(word in text.lower() for word in FORBIDDEN), (path, text)


def test_the_windows_collection_imports_no_process_module():
    for path in (AGENT / "windows").rglob("*.py"):
        imported = {
            alias.name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        } | {
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"subprocess", "os.system", "multiprocessing"}, path
