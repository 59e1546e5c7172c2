"""install/uninstall write the config and the schedule; system commands go through a fake runner."""

from __future__ import annotations

import configparser
import os
import stat
import sys

import pytest

from agent.config import resolve
from agent.install import Installer, InstallError
from agent.schedule import systemd_exec


class FakeRunner:
    """Records each command line instead of running it; fails those listed in `failing`."""

    def __init__(self, failing=()):
        self.commands, self.failing = [], failing

    def __call__(self, args):
        self.commands.append(args)
        if args[:2] in self.failing:
            raise InstallError(f"{' '.join(args[:2])} failed (1): no such task")


def make_installer(tmp_path, platform, runner, **flags):
    flags.setdefault("server", "https://avroll.example")
    flags.setdefault("token", "secret-token")
    flags.update(
        config=str(tmp_path / "etc-avroll" / "agent.ini"), state_dir=str(tmp_path / "var-avroll")
    )
    config = resolve(flags, {}, platform=platform)
    return Installer(
        config,
        platform=platform,
        runner=runner,
        environ={},
        executable="/opt/py/bin/python",
        frozen=False,
        unit_dir=str(tmp_path / "systemd"),
    )


def read_ini(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return dict(parser["avroll"])


def test_linux_install_writes_config_units_and_enables_the_timer(tmp_path):
    runner = FakeRunner()
    installer = make_installer(tmp_path, "linux", runner, unit="SXD")
    installer.install()
    ini = tmp_path / "etc-avroll" / "agent.ini"
    assert read_ini(ini) == {
        "server": "https://avroll.example",
        "token": "secret-token",
        "unit": "SXD",
        "interval_hours": "4",
        "state_dir": str(tmp_path / "var-avroll"),
    }
    service = (tmp_path / "systemd" / "avroll-agent.service").read_text()
    exec_start = systemd_exec(
        ["/opt/py/bin/python", "-m", "agent.cli", "send", "--config", str(ini)]
    )
    assert f"ExecStart={exec_start}\n" in service
    assert "OnUnitActiveSec=4h" in (tmp_path / "systemd" / "avroll-agent.timer").read_text()
    assert runner.commands == [
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", "avroll-agent.timer"],
        ["systemctl", "start", "--no-block", "avroll-agent.service"],
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_linux_config_and_state_are_private(tmp_path):
    make_installer(tmp_path, "linux", FakeRunner()).install()
    assert stat.S_IMODE(os.stat(tmp_path / "etc-avroll" / "agent.ini").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "var-avroll").st_mode) == 0o700
    timer = tmp_path / "systemd" / "avroll-agent.timer"
    assert stat.S_IMODE(os.stat(timer).st_mode) == 0o644


def test_windows_install_registers_the_task_from_its_xml(tmp_path):
    runner = FakeRunner()
    make_installer(tmp_path, "win32", runner, interval_hours="6").install()
    xml_path = str(tmp_path / "var-avroll" / "avroll-agent-task.xml")
    state, etc = str(tmp_path / "var-avroll"), str(tmp_path / "etc-avroll")
    assert runner.commands == [
        [
            "icacls",
            state,
            "/inheritance:r",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
            "*S-1-5-32-544:(OI)(CI)F",
        ],
        [
            "icacls",
            etc,
            "/inheritance:r",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
            "*S-1-5-32-544:(OI)(CI)F",
        ],
        ["schtasks", "/Create", "/TN", "avroll-agent", "/XML", xml_path, "/F"],
        ["schtasks", "/Run", "/TN", "avroll-agent"],
    ]
    xml = open(xml_path, "rb").read().decode("utf-16")
    assert "<Interval>PT6H</Interval>" in xml
    assert "<Arguments>-m agent.cli send --config" in xml


def test_frozen_agent_is_copied_where_the_schedule_runs_it(tmp_path):
    exe = tmp_path / "share" / "avroll-agent.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"MZ fake exe")
    installer = make_installer(tmp_path, "win32", FakeRunner())
    installer.frozen, installer.executable = True, str(exe)
    installer.environ = {"ProgramFiles": str(tmp_path / "Program Files")}
    command = installer.scheduled_command()
    assert command[:2] == [installer.installed_binary(), "send"]
    assert installer.installed_binary().endswith("avroll\\avroll-agent.exe")
    assert open(installer.installed_binary(), "rb").read() == b"MZ fake exe"


@pytest.mark.parametrize("missing", ["server", "token"])
def test_install_needs_server_and_token(tmp_path, missing):
    installer = make_installer(tmp_path, "linux", FakeRunner(), **{missing: None})
    with pytest.raises(InstallError, match="--" + missing):
        installer.install()
    assert not (tmp_path / "etc-avroll" / "agent.ini").exists()


def test_other_systems_are_refused(tmp_path):
    with pytest.raises(InstallError, match="Windows .* and Linux"):
        make_installer(tmp_path, "darwin", FakeRunner()).install()


def test_uninstall_removes_schedule_config_and_state(tmp_path):
    make_installer(tmp_path, "linux", FakeRunner()).install()
    (tmp_path / "var-avroll" / "spool").mkdir()
    (tmp_path / "var-avroll" / "spool" / "1-a.json").write_text("{}")
    runner = FakeRunner()
    make_installer(tmp_path, "linux", runner).uninstall()
    assert runner.commands == [
        ["systemctl", "disable", "--now", "avroll-agent.timer"],
        ["systemctl", "daemon-reload"],
    ]
    assert not (tmp_path / "systemd" / "avroll-agent.timer").exists()
    assert not (tmp_path / "systemd" / "avroll-agent.service").exists()
    assert not (tmp_path / "etc-avroll").exists()
    assert not (tmp_path / "var-avroll").exists()


def test_windows_uninstall_goes_on_when_the_task_is_already_gone(tmp_path):
    make_installer(tmp_path, "win32", FakeRunner()).install()
    runner = FakeRunner(failing=[["schtasks", "/Delete"]])
    done = make_installer(tmp_path, "win32", runner).uninstall()
    assert runner.commands == [["schtasks", "/Delete", "/TN", "avroll-agent", "/F"]]
    assert any("no scheduled run removed" in line for line in done)
    assert not (tmp_path / "var-avroll").exists()


def test_a_state_dir_that_is_not_ours_is_not_removed_whole(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "someone-elses.txt").write_text("keep me")
    config = resolve(
        {"config": str(tmp_path / "avroll" / "agent.ini"), "state_dir": str(shared)},
        {},
        platform="linux",
    )
    done = Installer(
        config,
        platform="linux",
        runner=FakeRunner(),
        environ={},
        frozen=False,
        unit_dir=str(tmp_path / "systemd"),
    ).uninstall()
    assert (shared / "someone-elses.txt").read_text() == "keep me"
    assert any("remove it by hand" in line for line in done)
