"""The command line's language (issue 21, item 4): its help and messages in Vietnamese by
default, like the pages, in English with `--lang en` or AVROLL_LANG=en; one catalogue
(`collector/cli/cli_words.py`) that every command, a new one too, must fill in."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from collector.cli import cli_words, language
from collector.cli.main import main
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from tests.builders import make_report


@pytest.fixture
def vietnamese(monkeypatch):
    monkeypatch.delenv("AVROLL_LANG", raising=False)
    # No --lang left over from an earlier run in this process (main() resets it at start).
    monkeypatch.setitem(language._chosen, "lang", None)


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


# What writes a line to the officer: click's echo and the errors click prints.
WRITERS = {"echo", "ClickException", "BadParameter", "UsageError", "confirm", "prompt"}
SAMPLE = "Zq"  # a varying part: no word of any language


def _texts(node):
    """Every text an argument can be, its varying parts written as SAMPLE; a text only
    known when the command runs (an exception's, a token) gives none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        options = [""]
        for part in node.values:
            pieces = _texts(part) if isinstance(part, ast.Constant) else [SAMPLE]
            options = [done + piece for done in options for piece in pieces]
        return options
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [left + right for left in _texts(node.left) for right in _texts(node.right)]
    return []


def _written_lines():
    for path in sorted(Path("collector/cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in WRITERS:
                for text in _texts(node.args[0]):
                    yield from ((f"{path}:{node.lineno}", line) for line in text.split("\n"))


def test_every_line_a_command_writes_has_its_vietnamese(vietnamese):
    """Messages match a template of cli_words.MESSAGES_VI; the words in a data row (a
    state, a column's label) go through `language.word`, which has them all."""
    english = [
        (where, line)
        for where, line in _written_lines()
        # "key = value": a setting's key is its name in every language
        if re.search(r"[A-Za-z]{3,}", re.sub(r"^\w+ = ", "", line).replace(SAMPLE, ""))
        and language.message(line) == line
    ]
    assert english == []
    calls = [
        node.args[0].value
        for path in Path("collector/cli").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) == "word"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert calls and all(language.word(word) != word for word in calls)


def test_the_smtp_settings_and_the_listings_speak_vietnamese(vietnamese, tmp_path):
    path = tmp_path / "cli.db"
    apply(open_db(path))
    runner = CliRunner()
    db = ["--db", str(path)]
    refused = runner.invoke(main, ["mail", "set", "--host", "smtp host", "--sender", "x", *db])
    assert refused.exit_code == 1
    assert "thư: host: không phải tên hoặc địa chỉ máy chủ" in refused.output
    assert "thư: sender: không phải địa chỉ e-mail" in refused.output
    assert "Lỗi: thiết lập SMTP chưa được lưu" in refused.output
    assert "password = (chưa đặt)" in runner.invoke(main, ["mail", "show", *db]).output
    runner.invoke(main, ["users", "add", "hoa", "--role", "viewer", *db], input="mat-khau-dai-1\n")
    listed = runner.invoke(main, ["users", "list", *db]).output
    assert "đang dùng từ " in listed and "since" not in listed
    english = runner.invoke(main, ["--lang", "en", "mail", "set", "--host", "smtp host", *db])
    assert "mail: host: not a host name or address" in english.output
    assert "since" in runner.invoke(main, ["--lang", "en", "users", "list", *db]).output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "avroll collector: retention: 3 report(s) removed: every report kept since "
            "2026-11-01, then each machine's last report of each day (the thinning to months "
            "waits for the kept daily figures)",
            "avroll collector: lưu giữ báo cáo: đã xóa 3 báo cáo: giữ mọi báo cáo từ 2026-11-01, "
            "rồi báo cáo cuối mỗi ngày của mỗi máy (việc rút còn một báo cáo mỗi tháng chờ số "
            "liệu từng ngày được lưu)",
        ),
        (
            "avroll collector: push to https://nation.example: pushed 2 day(s) (2026-12-01 to "
            "2026-12-02) and 1 issued report(s)",
            "avroll collector: gửi lên https://nation.example: đã gửi 2 ngày (2026-12-01 đến "
            "2026-12-02) và 1 báo cáo đã ban hành",
        ),
        (
            "avroll collector: push to https://nation.example stopped: 401 revoked; it resumes "
            "next night",
            "avroll collector: gửi lên https://nation.example dừng lại: 401 revoked; sẽ tiếp tục "
            "vào đêm sau",
        ),
        (
            "avroll collector: reminders: 2 of 3 sent; failed: SXD; skipped (answered their "
            "last reminder): SYT",
            "avroll collector: đôn đốc: đã gửi 2/3; thất bại: SXD; bỏ qua (đã báo cáo sau thư "
            "đôn đốc gần nhất): SYT",
        ),
        ("avroll collector: reminders: 3 of 3 sent", "avroll collector: đôn đốc: đã gửi 3/3"),
    ],
)
def test_the_nightly_runs_lines_on_the_servers_console(vietnamese, line, expected):
    assert language.message(line) == expected
