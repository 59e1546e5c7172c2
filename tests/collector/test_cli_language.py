"""The command line's language (issue 21, item 4): its help and messages in Vietnamese by
default, like the pages, in English with `--lang en` or AVROLL_LANG=en; one catalogue
(`collector/cli/cli_words.py`) that every command, a new one too, must fill in."""

from __future__ import annotations

import inspect

import click
import pytest
from click.testing import CliRunner

from collector.cli import cli_words
from collector.cli.main import main
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from tests.builders import make_report


@pytest.fixture
def vietnamese(monkeypatch):
    monkeypatch.delenv("AVROLL_LANG", raising=False)


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _plain(text):
    return " ".join(text.split())


def test_every_help_text_has_its_vietnamese():
    missing = []
    for path, command in _commands(main):
        texts = [part for part in inspect.cleandoc(command.help or "").split("\n\n") if part]
        texts += [
            param.help for param in command.params if isinstance(param, click.Option) and param.help
        ]
        missing += [
            (" ".join(path), text) for text in texts if _plain(text) not in cli_words.HELP_VI
        ]
    assert missing == []


def test_help_is_vietnamese_by_default(vietnamese):
    runner = CliRunner()
    shown = runner.invoke(main, ["machines", "retire", "-h"], prog_name="avroll").output
    assert "Cách dùng: avroll machines retire" in shown
    assert "Cho thôi tính một máy" in shown and "[bắt buộc]" in shown
    assert "Tùy chọn:" in shown and "Retire a machine" not in shown
    listed = runner.invoke(main, ["-h"]).output
    assert "Lệnh:" in listed and "Sao lưu cơ sở dữ liệu" in listed


@pytest.mark.parametrize("how", ["flag", "env"])
def test_english_on_request(monkeypatch, how):
    monkeypatch.delenv("AVROLL_LANG", raising=False)
    if how == "env":
        monkeypatch.setenv("AVROLL_LANG", "en")
    args = (["--lang", "en"] if how == "flag" else []) + ["machines", "retire", "-h"]
    shown = CliRunner().invoke(main, args, prog_name="avroll").output
    assert "Usage: avroll machines retire" in shown and "Retire a machine" in shown
    assert "Cách dùng" not in shown


def test_messages_and_errors_are_vietnamese_by_default(vietnamese, tmp_path):
    path = tmp_path / "cli.db"
    db = open_db(path)
    apply(db)
    store_report(db, make_report(hostname="SXD-01"))
    db.close()
    runner = CliRunner()
    missing = runner.invoke(main, ["machines", "retire", "SXD-01", "--db", str(path)])
    assert missing.exit_code == 2 and "Lỗi: Thiếu tùy chọn '--date'." in missing.output
    unknown = runner.invoke(main, ["machines", "restore", "NOPE", "--db", str(path)])
    assert "Lỗi: không có máy nào báo cáo với mã máy hoặc tên NOPE" in unknown.output
    asked = runner.invoke(
        main,
        [
            "machines",
            "retire",
            "SXD-01",
            "--date",
            "2024-01-02",
            "--reason",
            "hỏng",
            "--db",
            str(path),
        ],
        input="y\n",
    )
    assert "cho thôi tính máy" in asked.output and "từ ngày 2024-01-02 (hỏng)?" in asked.output
    assert "thôi được tính từ ngày 2024-01-02" in asked.output
    english = runner.invoke(
        main, ["--lang", "en", "machines", "restore", "SXD-01", "--db", str(path)]
    )
    assert english.exit_code == 0 and "restored: it counts again" in english.output


def test_the_message_templates_are_distinct():
    englishes = [english for english, _ in cli_words.MESSAGES_VI]
    assert len(set(englishes)) == len(englishes)


def test_the_stores_messages_read_as_on_the_pages(vietnamese, tmp_path):
    path = tmp_path / "cli.db"
    apply(open_db(path))
    refused = CliRunner().invoke(
        main, ["settings", "set", "stale_after_days", "hai", "--db", str(path)]
    )
    assert refused.exit_code == 1
    assert "'hai' không phải là một số nguyên" in refused.output
