"""Finding the Windows 10 SDK's UCRT DLLs for the spec, and checking a bundle holds them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_ucrt():
    spec = importlib.util.spec_from_file_location("avroll_ucrt", ROOT / "build" / "ucrt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sdk(root, version, arch, dlls=("ucrtbase.dll", "api-ms-win-crt-runtime-l1-1-0.dll")):
    folder = (
        root / "Redist" / version / "ucrt" / "DLLs" / arch
        if version
        else (root / "Redist" / "ucrt" / "DLLs" / arch)
    )
    folder.mkdir(parents=True)
    for name in dlls:
        (folder / name).write_bytes(b"MZ")
    return folder


def test_the_newest_sdk_of_the_right_architecture_is_chosen(tmp_path):
    ucrt = load_ucrt()
    sdk(tmp_path, "10.0.9600.0", "x86")
    newest = sdk(tmp_path, "10.0.22621.0", "x86")
    sdk(tmp_path, "10.0.26100.0", "x64")
    assert ucrt.find_ucrt_dir("x86", [str(tmp_path)]) == str(newest)
    assert ucrt.find_ucrt_dir("arm64", [str(tmp_path)]) is None


def test_the_unversioned_layout_of_older_sdks(tmp_path):
    folder = sdk(tmp_path, None, "x64")
    ucrt = load_ucrt()
    assert ucrt.find_ucrt_dir("x64", [str(tmp_path)]) == str(folder)
    assert [name for name, _path, kind in ucrt.ucrt_binaries(str(folder))] == [
        "api-ms-win-crt-runtime-l1-1-0.dll",
        "ucrtbase.dll",
    ]


def test_a_bundle_without_the_ucrt_is_caught():
    ucrt = load_ucrt()
    assert ucrt.missing_from(["python38.dll", "base_library.zip"]) == list(ucrt.REQUIRED)
    assert ucrt.missing_from([d.upper() for d in ucrt.REQUIRED] + ["python38.dll"]) == []
