"""Every subcommand takes every setting as a flag; errors end as one line and an exit code."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent import __version__
from agent.cli import build_parser, main
from shared.report import validate


@pytest.mark.parametrize("command", ["collect", "send", "install", "uninstall", "status"])
def test_every_subcommand_takes_every_setting(command):
    args = build_parser().parse_args(
        [
            command,
            "--server",
            "http://c:1",
            "--token",
            "t",
            "--unit",
            "SXD",
            "--ca-bundle",
            "/ca.pem",
            "--interval-hours",
            "6",
            "--state-dir",
            "/s",
            "--config",
            "/c.ini",
        ]
    )
    assert (
        args.server,
        args.token,
        args.unit,
        args.ca_bundle,
        args.interval_hours,
        args.state_dir,
        args.config,
    ) == ("http://c:1", "t", "SXD", "/ca.pem", "6", "/s", "/c.ini")


def test_collect_takes_the_unit_from_agent_ini(tmp_path, capsys, monkeypatch):
    ini = tmp_path / "agent.ini"
    ini.write_text("[avroll]\nunit = SXD\n", encoding="utf-8")
    monkeypatch.setenv("AVROLL_CONFIG", str(ini))
    monkeypatch.delenv("AVROLL_UNIT", raising=False)
    assert main(["collect"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert validate(report) == [] and report["agent"]["unit_code"] == "SXD"


def test_send_without_server_says_how_to_give_one(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AVROLL_SERVER", raising=False)
    assert main(["send", "--config", str(tmp_path / "none.ini"), "--state-dir", str(tmp_path)]) == 2
    assert "use --server URL, AVROLL_SERVER or agent.ini" in capsys.readouterr().err


def test_bad_setting_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["status", "--config", str(tmp_path / "none.ini"), "--interval-hours", "0"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "avroll-agent: interval_hours must be between 1 and 24: 0"
    ]


def test_install_failure_is_one_line(tmp_path, capsys):
    assert (
        main(
            [
                "install",
                "--config",
                str(tmp_path / "a.ini"),
                "--state-dir",
                str(tmp_path / "s"),
                "--server",
                "http://c:1",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err.strip() == "avroll-agent: not installed: install needs --token"


def test_python_dash_m_agent_runs_the_agent():
    done = subprocess.run(
        [sys.executable, "-m", "agent", "--version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "avroll-agent " + __version__)


@pytest.mark.parametrize("flag", ["--time-limit", "--timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "0", "-5", "soon"])
def test_send_limits_are_positive_finite_seconds(flag, value, capsys):
    # NaN compares false with every deadline: a run given it would retry without end.
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["send", flag, value])
    assert stopped.value.code == 2
    assert "a positive number of seconds" in capsys.readouterr().err
