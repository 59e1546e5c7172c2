"""The PyInstaller build: its version resource text, and a real one-file binary that collects."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.report import validate

ROOT = Path(__file__).resolve().parents[2]


def load_build_script():
    spec = importlib.util.spec_from_file_location("avroll_build", ROOT / "build" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def string_structs(text):
    """The StringStruct(name, value) pairs of a version file, read without running it."""
    calls = [
        node
        for node in ast.walk(ast.parse(text, mode="eval"))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "StringStruct"
    ]
    return {call.args[0].value: call.args[1].value for call in calls}


@pytest.mark.parametrize(
    "version, numbers",
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0.0rc1", (2, 0, 0, 0))],
)
def test_version_numbers(version, numbers):
    assert load_build_script().version_numbers(version) == numbers


def test_version_resource_carries_the_agent_version():
    build = load_build_script()
    from agent import __version__

    assert build.agent_version() == __version__
    text = build.version_info_text(__version__)
    strings = string_structs(text)
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["OriginalFilename"] == "avroll-agent.exe"
    assert f"prodvers={build.version_numbers(__version__)}" in text


@pytest.mark.e2e
def test_one_file_binary_collects_a_valid_report(tmp_path):
    pytest.importorskip("PyInstaller")
    dist, work = tmp_path / "dist", tmp_path / "work"
    built = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build" / "build.py"),
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    binary = Path(built.stdout.strip().splitlines()[-1])
    assert binary.parent == dist and binary.exists()
    assert not (ROOT / "build" / "build").exists()  # PyInstaller's folders stay out of build/

    collected = subprocess.run(
        [str(binary), "collect", "--unit", "SXD"], capture_output=True, text=True, timeout=120
    )
    assert collected.returncode == 0, collected.stderr
    report = json.loads(collected.stdout)
    assert validate(report) == []
    assert report["agent"]["unit_code"] == "SXD"

    bundled = (work / "avroll-agent" / "PYZ-00.toc").read_text(encoding="utf-8")
    assert "'requests'" in bundled and "'psutil'" in bundled
    for left_out in ("'flask'", "'collector'", "'sqlite_utils'", "'pytest'"):
        assert left_out not in bundled


def test_a_windows_build_names_every_bundled_version_that_is_not_the_pinned_one():
    build = load_build_script()
    pinned = build.pins()
    assert set(build.BUNDLED) <= set(pinned)
    versions = dict(pinned, psutil="5.9.0", comtypes=None)
    assert build.unpinned(versions.get) == [
        f"psutil 5.9.0, pinned {pinned['psutil']}",
        f"comtypes not installed, pinned {pinned['comtypes']}",
    ]
    assert build.unpinned(pinned.get) == []
