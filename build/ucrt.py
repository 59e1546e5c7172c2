"""The Universal C Runtime DLLs bundled into avroll-agent.exe, and the check that they are there.

Python 3.8 needs the UCRT, part of Windows only from Windows 10 on; a Windows 7 SP1 PC
without update KB2999226 (common on offline images) cannot start an exe without it.
PyInstaller's manual ("Platform-specific Notes - Windows", option 3) says to install the
Windows 10 SDK and add its UCRT DLLs in the spec; Microsoft's "Distributing Software that uses
the Universal CRT" (app-local deployment) says which: every DLL in
`Windows Kits\\10\\Redist\\[<version>\\]ucrt\\DLLs\\<arch>`. Windows loads the system's UCRT
instead where there is one, so the bundled copy only serves PCs that lack it.

`python build/ucrt.py check dist/avroll-agent.exe` exits 1 when the bundle lacks them.
"""

from __future__ import annotations

import glob
import os
import struct
import sys

# Enough to start Python: the UCRT itself and the API set its callers link against.
REQUIRED = (
    "ucrtbase.dll",
    "api-ms-win-crt-runtime-l1-1-0.dll",
    "api-ms-win-crt-heap-l1-1-0.dll",
    "api-ms-win-crt-string-l1-1-0.dll",
    "api-ms-win-core-file-l1-2-0.dll",
)


def windows_arch():
    """x86 or x64: the bitness of the Python that builds (and so of the exe)."""
    return "x64" if struct.calcsize("P") == 8 else "x86"


def find_ucrt_dir(arch, kits_roots=None):
    """The newest Windows 10 SDK folder of UCRT DLLs for `arch`, or None."""
    if kits_roots is None:
        kits_roots = [
            os.path.join(os.environ.get(name, ""), "Windows Kits", "10")
            for name in ("ProgramFiles(x86)", "ProgramFiles")
            if os.environ.get(name)
        ]
    for root in kits_roots:
        versioned = sorted(
            glob.glob(os.path.join(root, "Redist", "10.*", "ucrt", "DLLs", arch)),
            key=_version_key,
            reverse=True,
        )
        for folder in versioned + [os.path.join(root, "Redist", "ucrt", "DLLs", arch)]:
            if os.path.isfile(os.path.join(folder, "ucrtbase.dll")):
                return folder
    return None


def _version_key(path):
    version = path.split(os.sep + "Redist" + os.sep)[1].split(os.sep)[0]
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def ucrt_binaries(folder):
    """PyInstaller binaries entries (name, path, 'BINARY') for every DLL in `folder`."""
    return [
        (os.path.basename(path), path, "BINARY")
        for path in sorted(glob.glob(os.path.join(folder, "*.dll")))
    ]


def missing_from(names):
    """The REQUIRED DLLs absent from a bundle's table of contents (case-insensitive)."""
    present = {os.path.basename(name).lower() for name in names}
    return [dll for dll in REQUIRED if dll not in present]


def bundle_names(executable):
    """Names of the files a PyInstaller one-file executable carries."""
    from PyInstaller.archive.readers import CArchiveReader

    return list(CArchiveReader(executable).toc)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "check":
        print("usage: python build/ucrt.py check EXECUTABLE", file=sys.stderr)
        return 2
    missing = missing_from(bundle_names(args[1]))
    if missing:
        print("UCRT missing from {}: {}".format(args[1], ", ".join(missing)), file=sys.stderr)
        return 1
    print(f"{args[1]}: UCRT bundled ({', '.join(REQUIRED)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
