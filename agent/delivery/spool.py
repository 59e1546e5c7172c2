"""Reports waiting on disk for the collector: written atomically, bounded, and read
defensively: anything in the folder that is not a readable report (a directory, a FIFO, a
file cut short, nested past reason, or holding NaN) is set aside, never a reason to stop."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import time

log = logging.getLogger("avroll")

MAX_SPOOLED = 500  # four reports a day for four months; ~2 MB at most
# The set-aside folder keeps the newest refused or unreadable entries; older ones are
# deleted, each with a log line naming it and why it was set aside.
MAX_SET_ASIDE = 50
MAX_REPORT_BYTES = 1024 * 1024  # the collector takes 256 KB; a bigger file is not ours
SUFFIX = ".json"
TEMP_SUFFIX = ".tmp"


class CorruptSpoolFile(Exception):
    """A spooled file does not hold a report (cut short, edited, or not ours)."""


def write_atomically(path, text, mode=0o600):
    """Write `text` to `path` so that a crash leaves either the old file or the new one.

    The file is private by default (`mode` applies on POSIX; Windows uses the folder's ACL).
    """
    temp = path + TEMP_SUFFIX
    # O_BINARY: else Windows' C runtime would turn the "\r\n" Python writes into "\r\r\n"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temp, flags, mode)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


class Spool:
    """A folder of reports not yet delivered, one JSON file each, named so they sort by age."""

    def __init__(self, directory, limit=MAX_SPOOLED):
        self.directory = directory
        self.set_aside_dir = os.path.join(os.path.dirname(directory.rstrip("/\\")), "set-aside")
        self.limit = limit

    def put(self, report):
        """Store `report`; drop (and log) the oldest ones past the limit. Returns its path."""
        os.makedirs(self.directory, exist_ok=True)
        name = "{:020d}-{}{}".format(self._next_stamp(), _safe(report.get("report_id")), SUFFIX)
        path = os.path.join(self.directory, name)
        write_atomically(path, json.dumps(report, ensure_ascii=False))
        for old in self.pending()[: -self.limit]:
            log.warning(
                "spool full (%d reports): dropped the oldest, %s", self.limit, os.path.basename(old)
            )
            _remove(old)
        return path

    def _next_stamp(self):
        """Now in nanoseconds, but always after the newest spooled report (Windows' clock ticks
        every few milliseconds, and it can be set back)."""
        newest = self.pending()[-1:]
        try:
            after = int(os.path.basename(newest[0]).split("-", 1)[0]) + 1 if newest else 0
        except ValueError:
            after = 0
        return max(time.time_ns(), after)

    def pending(self):
        """Paths of the spooled reports, oldest first."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return [
            os.path.join(self.directory, name) for name in sorted(names) if name.endswith(SUFFIX)
        ]

    def load(self, path):
        """The report stored at `path`; CorruptSpoolFile if it is not one (FileNotFoundError
        when another run took it meanwhile). Only a regular file is opened, and without
        blocking, so a FIFO or a device put in the folder cannot hang the run."""
        name = os.path.basename(path)
        raw = _read_regular_file(path, name)
        try:
            report = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except RecursionError:
            raise CorruptSpoolFile(f"{name} is nested too deeply to be a report") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptSpoolFile(f"{name} is not valid JSON: {str(exc)[:200]}") from None
        if not isinstance(report, dict):
            raise CorruptSpoolFile(f"{name} holds no report")
        report_id = report.get("report_id")
        if not isinstance(report_id, str) or not report_id.strip():
            # our own collect writes a UUID; anything else came from elsewhere
            raise CorruptSpoolFile(f"{name} holds no report id (text)")
        return report

    def remove(self, path):
        """Forget a delivered report."""
        _remove(path)

    def set_aside(self, path, reason):
        """Move a report the collector refused, or an unreadable entry, out of the way with
        its reason; past MAX_SET_ASIDE the oldest are deleted, each logged. Returns the new
        path, or None (logged) when even that cannot be done: the run goes on regardless."""
        try:
            os.makedirs(self.set_aside_dir, exist_ok=True)
            target = os.path.join(self.set_aside_dir, os.path.basename(path))
            os.replace(path, target)
            write_atomically(target + ".reason.txt", reason + "\n")
            kept = sorted(name for name in os.listdir(self.set_aside_dir) if name.endswith(SUFFIX))
        except OSError as exc:
            log.error("could not set aside %s: %s", os.path.basename(path), exc)
            return None
        for old in kept[:-MAX_SET_ASIDE]:
            old_path = os.path.join(self.set_aside_dir, old)
            log.warning(
                "set-aside folder full (%d kept): deleted the oldest, %s (%s)",
                MAX_SET_ASIDE,
                old,
                _reason_of(old_path),
            )
            _discard(old_path)
            _discard(old_path + ".reason.txt")
        return target

    def set_aside_count(self):
        """How many refused or corrupt reports sit in the set-aside folder."""
        try:
            return sum(name.endswith(SUFFIX) for name in os.listdir(self.set_aside_dir))
        except FileNotFoundError:
            return 0

    def remove_stale_temp_files(self):
        """Delete half-written files a crash left behind (they were never renamed into place)."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return
        for name in names:
            if name.endswith(TEMP_SUFFIX):
                _remove(os.path.join(self.directory, name))


def _safe(report_id):
    """The report id as a file-name part (it comes from our own collect, but a file is a file)."""
    text = str(report_id or "no-id")
    return "".join(char for char in text if char.isalnum() or char == "-")[:64] or "no-id"


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _discard(path):
    """Delete whatever is at `path` (a file, a link, a directory); log what cannot be."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.error("could not delete %s: %s", path, exc)


def _reason_of(path):
    try:
        with open(path + ".reason.txt", encoding="utf-8", errors="replace") as handle:
            return handle.read(300).strip()
    except OSError:
        return "reason unknown"


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON can carry")


def _read_regular_file(path, name):
    """The bytes of `path` if it is a regular file of a report's size; else CorruptSpoolFile."""
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_BINARY", 0)
    )
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise CorruptSpoolFile(f"{name} is not a regular file")
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise CorruptSpoolFile(f"{name} cannot be read: {exc}") from None
    try:
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped meanwhile
                raise CorruptSpoolFile(f"{name} is not a regular file")
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise CorruptSpoolFile(f"{name} cannot be read: {exc}") from None
    if len(raw) > MAX_REPORT_BYTES:
        raise CorruptSpoolFile(f"{name} is larger than any report ({MAX_REPORT_BYTES} bytes)")
    return raw
