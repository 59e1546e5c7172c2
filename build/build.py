"""Build the one-file agent: `python build/build.py` leaves dist/avroll-agent(.exe).

Needs PyInstaller (`pip install -c build/constraints.txt -e .[build]`). On Windows the
executable carries a version resource with the product version from `agent.__version__`, and
is built only from the versions build/constraints.txt pins (what the Wine stage and the
workflow tested); on Linux the same spec builds a test binary from what is installed.
PyInstaller's work folder is a temporary folder unless --workpath says otherwise.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "build", "avroll-agent.spec")
VERSION_FILE = os.path.join(ROOT, "agent", "__init__.py")
CONSTRAINTS = os.path.join(ROOT, "build", "constraints.txt")
# The pinned distributions that end up inside the exe, or make it.
BUNDLED = (
    "psutil",
    "requests",
    "certifi",
    "charset-normalizer",
    "idna",
    "urllib3",
    "comtypes",
    "pyinstaller",
    "pyinstaller-hooks-contrib",
)


def pins(path=CONSTRAINTS):
    """{distribution: version} of a constraints file's `name==version` lines."""
    found = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            name, _, version = line.split("#")[0].strip().partition("==")
            if version:
                found[name.lower()] = version
    return found


def unpinned(installed_version, wanted=BUNDLED):
    """A line per bundled distribution whose installed version is not the pinned one;
    `installed_version(name)` gives None when it is not installed."""
    pinned = pins()
    return [
        f"{name} {installed_version(name) or 'not installed'}, pinned {pinned[name]}"
        for name in wanted
        if installed_version(name) != pinned[name]
    ]


def installed_version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def agent_version():
    """`agent.__version__`, read from the source so the build needs no install of the agent."""
    with open(VERSION_FILE, encoding="utf-8") as handle:
        return re.search(r'^__version__ = "([^"]+)"', handle.read(), re.MULTILINE).group(1)


def version_numbers(version):
    """The four numbers a Windows version resource holds: "0.1.0rc1" -> (0, 1, 0, 0)."""
    numbers = [int(re.match(r"\d*", part).group() or 0) for part in version.split(".")[:4]]
    return tuple(numbers + [0] * (4 - len(numbers)))


def version_info_text(version):
    """PyInstaller's version-file text: what Explorer shows under Properties > Details."""
    numbers = version_numbers(version)
    strings = {
        "CompanyName": "avroll",
        "FileDescription": "avroll agent: reports this PC's antivirus state",
        "FileVersion": version,
        "InternalName": "avroll-agent",
        "LegalCopyright": "avroll contributors",
        "OriginalFilename": "avroll-agent.exe",
        "ProductName": "avroll",
        "ProductVersion": version,
    }
    table = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [
{table}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the one-file avroll agent.")
    parser.add_argument(
        "--distpath",
        default=os.path.join(ROOT, "dist"),
        help="where the executable goes (default ./dist)",
    )
    parser.add_argument("--workpath", help="PyInstaller's work folder (default: a temp folder)")
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        wrong = unpinned(installed_version)
        if wrong:
            print(
                "Not the pinned versions (pip install -c build/constraints.txt -e .[build]):",
                *wrong,
                sep="\n  ",
                file=sys.stderr,
            )
            return 2
    with tempfile.TemporaryDirectory(prefix="avroll-build-") as temp:
        workpath = args.workpath or temp
        os.makedirs(workpath, exist_ok=True)
        version_file = os.path.join(workpath, "version_info.txt")
        with open(version_file, "w", encoding="utf-8") as handle:
            handle.write(version_info_text(agent_version()))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                SPEC,
                "--noconfirm",
                "--clean",
                "--log-level",
                "WARN",
                "--distpath",
                args.distpath,
                "--workpath",
                workpath,
            ],
            env=dict(os.environ, AVROLL_VERSION_FILE=version_file),
            cwd=ROOT,
            check=True,
        )
    name = "avroll-agent.exe" if sys.platform == "win32" else "avroll-agent"
    print(os.path.join(args.distpath, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
