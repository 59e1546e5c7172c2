"""`avroll backup` and `avroll restore` (issue 21, item 5): a copy taken while reports keep
coming in holds one consistent moment, and the database restored from it reads the same
figures."""

from __future__ import annotations

import fnmatch
import stat
import threading
from pathlib import Path

from click.testing import CliRunner

from collector.cli.main import main
from collector.counting import kept
from collector.counting.rollup import rollup
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.units import save_units
from tests.builders import make_report

ROOT = Path(__file__).resolve().parents[2]


def _province(path):
    db = open_db(path)
    apply(db)
    save_units(
        db,
        [
            (2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "5000"}),
            (3, {"code": "HTM", "name": "Huyện Tháp Mười", "allocated": "5000"}),
        ],
    )
    return db


def _keep_reporting(path, stop, stored):
    """Reports from new machines, one after another, until `stop` is set."""
    db = open_db(path)
    try:
        while not stop.is_set():
            number = len(stored)
            store_report(db, make_report(hostname=f"{('SXD', 'HTM')[number % 2]}-{number:05d}"))
            stored.append(number)
    finally:
        db.close()


def _restored(tmp_path, name, backup_file):
    target = tmp_path / name
    done = CliRunner().invoke(main, ["restore", str(backup_file), "--db", str(target)])
    assert done.exit_code == 0, done.output
    return open_db(target)


def test_a_backup_under_load_restores_to_the_same_figures(tmp_path):
    source_path = tmp_path / "live.db"
    source = _province(source_path)
    stop, stored = threading.Event(), []
    writer = threading.Thread(target=_keep_reporting, args=(source_path, stop, stored))
    writer.start()
    runner = CliRunner()
    try:
        for attempt in range(3):
            while len(stored) < 20 * (attempt + 1):
                stop.wait(0.01)
            out = tmp_path / f"backup-{attempt}.db"
            done = runner.invoke(main, ["backup", "--out", str(out), "--db", str(source_path)])
            assert done.exit_code == 0, done.output
            assert stat.S_IMODE(out.stat().st_mode) == 0o600
            copy = _restored(tmp_path, f"restored-{attempt}.db", out)
            machines = copy.execute("SELECT count(*) FROM machines").fetchone()[0]
            assert 20 * (attempt + 1) <= machines
            # One moment: the kept figures in the copy are those of its reports...
            assert kept.rebuild(copy)["differed"] == []
            # ...and every machine of that moment is counted, none twice.
            assert rollup(copy)["total"]["installed"] == machines
            copy.close()
    finally:
        stop.set()
        writer.join()
    out = tmp_path / "final.db"
    assert (
        runner.invoke(main, ["backup", "--out", str(out), "--db", str(source_path)]).exit_code == 0
    )
    copy = _restored(tmp_path, "restored-final.db", out)
    assert rollup(copy) == rollup(source)
    assert rollup(copy)["total"]["installed"] == len(stored)


def test_restore_keeps_the_database_it_replaces(tmp_path):
    first = _province(tmp_path / "a.db")
    store_report(first, make_report(hostname="SXD-01"))
    first.close()
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["backup", "--out", str(tmp_path / "one.db"), "--db", str(tmp_path / "a.db")]
        ).exit_code
        == 0
    )
    second = _province(tmp_path / "b.db")
    store_report(second, make_report(hostname="HTM-01"))
    store_report(second, make_report(hostname="HTM-02"))
    second.close()
    done = runner.invoke(
        main, ["restore", str(tmp_path / "one.db"), "--db", str(tmp_path / "b.db")]
    )
    assert done.exit_code == 0 and "before-restore" in done.output
    restored = open_db(tmp_path / "b.db")
    assert [row[0] for row in restored.execute("SELECT hostname FROM machines")] == ["SXD-01"]
    kept_copy = next(tmp_path.glob("b.db.before-restore-*"))
    assert stat.S_IMODE(kept_copy.stat().st_mode) == 0o600
    old = open_db(kept_copy)
    assert old.execute("SELECT count(*) FROM machines").fetchone()[0] == 2


def test_restore_refuses_what_is_not_an_avroll_database(tmp_path):
    live = _province(tmp_path / "live.db")
    store_report(live, make_report(hostname="SXD-01"))
    live.close()
    text = tmp_path / "notes.txt"
    text.write_text("không phải cơ sở dữ liệu")
    other = tmp_path / "other.db"
    open_db(other).execute("CREATE TABLE t (x)")
    runner = CliRunner()
    for bad, words in ((text, "not a SQLite database"), (other, "not an avroll database")):
        done = runner.invoke(main, ["restore", str(bad), "--db", str(tmp_path / "live.db")])
        assert done.exit_code == 1 and words in done.output
        assert "Traceback" not in done.output
    still = open_db(tmp_path / "live.db")
    assert still.execute("SELECT count(*) FROM machines").fetchone()[0] == 1


def test_backup_refuses_to_overwrite_the_database(tmp_path):
    _province(tmp_path / "live.db").close()
    done = CliRunner().invoke(
        main, ["backup", "--out", str(tmp_path / "live.db"), "--db", str(tmp_path / "live.db")]
    )
    assert done.exit_code == 1 and "cannot replace" in done.output


def _ignored(name):
    """Whether a file or folder of this name at the project's root is in .gitignore."""
    patterns = [
        line.strip().rstrip("/").lstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def test_every_secret_file_is_in_gitignore(tmp_path):
    from collector.cli.main import password_file
    from collector.store.keyfile import key_path

    database = tmp_path / "avroll.db"
    secrets = [
        key_path(database).name,
        password_file(database).name,
        ".avroll-agent",
        "avroll.db.before-restore-20261207T000000Z",
        "avroll.db.part",
        ".session-key-abc123",
        "avroll.db",
        "avroll.db-wal",
        "avroll.db-shm",
    ]
    assert [name for name in secrets if not _ignored(name)] == []
    assert not _ignored("README.md") and not _ignored("collector")
