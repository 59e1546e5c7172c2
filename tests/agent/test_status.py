"""`status` shows settings, the last report, the spool and the collector's naming advice."""

from __future__ import annotations

from agent.config import resolve
from agent.delivery.deliverer import record_delivery
from agent.delivery.spool import Spool
from agent.status import status_lines
from tests.builders import make_report


def status_of(tmp_path, answer=None, spooled=0, **flags):
    flags.update(config=str(tmp_path / "agent.ini"), state_dir=str(tmp_path / "state"))
    config = resolve(flags, {"AVROLL_SERVER": "https://avroll.example"}, platform="linux")
    spool = Spool(str(tmp_path / "state" / "spool"))
    for _ in range(spooled):
        spool.put(make_report())
    if answer is not None:
        record_delivery(config.state_dir, config.server, make_report(hostname="PC-LAN"), answer)
    return "\n".join(status_lines(config, spool))


def test_fresh_pc(tmp_path):
    text = status_of(tmp_path, token="very-secret")
    assert "collector:        https://avroll.example (from environment)" in text
    assert "(not found)" in text
    assert "token:            set (from flag)" in text
    assert "very-secret" not in text
    assert "last report:      none yet" in text
    assert "spooled reports:  0 waiting" in text
    assert "PC name:          unknown yet" in text


def test_spooled_reports_are_counted(tmp_path):
    assert "spooled reports:  3 waiting" in status_of(tmp_path, spooled=3)


def test_name_that_follows_the_guideline(tmp_path):
    text = status_of(
        tmp_path,
        {
            "ok": True,
            "naming": {
                "follows_guideline": True,
                "unit_code": "SXD",
                "pattern": "SXD-<room>-<nn>",
                "advice": "",
            },
        },
    )
    assert "to https://avroll.example" in text and "(local time)" in text
    assert "PC-LAN follows the naming guideline of unit SXD, pattern SXD-<room>-<nn>" in text
    assert "what to do" not in text


def test_name_that_does_not_follow_says_what_to_do(tmp_path):
    text = status_of(
        tmp_path,
        {
            "ok": True,
            "naming": {
                "follows_guideline": False,
                "unit_code": "SXD",
                "pattern": "SXD-<room>-<nn>",
                "advice": "Rename this PC to SXD-<room>-<nn>, e.g. SXD-KT-01.",
            },
        },
    )
    assert "PC-LAN does NOT follow the naming guideline of unit SXD" in text
    assert "what to do:       Rename this PC to SXD-<room>-<nn>, e.g. SXD-KT-01." in text


def test_answer_without_naming_is_unknown_yet(tmp_path):
    assert "PC name:          unknown yet" in status_of(tmp_path, {"ok": True})


def test_the_collectors_words_are_shown_on_one_printable_line(tmp_path):
    # A hostile answer: terminal escapes, a line break, a title-setting sequence, 60 KB.
    text = status_of(
        tmp_path,
        {
            "ok": True,
            "naming": {
                "follows_guideline": False,
                "unit_code": "SXD\x1b[2J",
                "pattern": "A\u2028B",
                "advice": "\x1b]0;pwned\x07Rename\r\nFAKE:             line" + "x" * 60_000,
            },
        },
    )
    lines = text.splitlines()
    assert all(line.isprintable() for line in lines)
    assert not any(line.startswith("FAKE:") for line in lines)
    assert "unit SXD?[2J, pattern A?B" in text
    assert max(len(line) for line in lines) < 1100
