"""The scheduled task's XML and the systemd units, checked on the text they produce."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET

import pytest

from agent import schedule

NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
EXE = r"C:\Program Files\avroll\avroll-agent.exe"


def parsed_task(interval_hours=4, command=(EXE, "send")):
    xml = schedule.task_xml(list(command), interval_hours)
    # ElementTree will not parse a str declaring UTF-16; the bytes schtasks gets, it will
    return ET.fromstring(schedule.task_xml_bytes(xml))


def test_task_runs_send_as_system_with_highest_rights():
    task = parsed_task()
    assert task.get("version") == "1.2"  # Windows 7 reads 1.2
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal.find("t:UserId", NS).text == "S-1-5-18"
    assert principal.find("t:RunLevel", NS).text == "HighestAvailable"
    assert task.find("t:Actions", NS).get("Context") == principal.get("id")
    assert task.find("t:Actions/t:Exec/t:Command", NS).text == EXE
    assert task.find("t:Actions/t:Exec/t:Arguments", NS).text == "send"


def test_task_starts_at_boot_and_repeats_with_a_random_delay():
    triggers = parsed_task(interval_hours=6).find("t:Triggers", NS)
    assert triggers.find("t:BootTrigger/t:Delay", NS).text == "PT5M"
    timer = triggers.find("t:TimeTrigger", NS)
    assert timer.find("t:Repetition/t:Interval", NS).text == "PT6H"
    assert timer.find("t:Repetition/t:Duration", NS) is None  # repeats forever
    assert timer.find("t:RandomDelay", NS).text == "PT60M"
    # the schema's sequence: base elements first, RandomDelay last
    assert [child.tag.split("}")[1] for child in timer] == [
        "Enabled",
        "StartBoundary",
        "Repetition",
        "RandomDelay",
    ]


def test_short_intervals_spread_over_half_the_interval():
    timer = parsed_task(interval_hours=1).find("t:Triggers/t:TimeTrigger", NS)
    assert timer.find("t:RandomDelay", NS).text == "PT30M"


def test_task_settings_for_laptops_and_missed_runs():
    settings = parsed_task().find("t:Settings", NS)
    values = {child.tag.split("}")[1]: child.text for child in settings}
    assert values["DisallowStartIfOnBatteries"] == "false"
    assert values["StopIfGoingOnBatteries"] == "false"
    assert values["StartWhenAvailable"] == "true"
    assert values["MultipleInstancesPolicy"] == "IgnoreNew"
    assert values["ExecutionTimeLimit"] == "PT30M"


def test_paths_and_arguments_are_escaped_and_quoted():
    task = parsed_task(
        command=[r"C:\A&B <x>\avroll-agent.exe", "send", "--config", r"C:\My Files\agent.ini"]
    )
    assert task.find("t:Actions/t:Exec/t:Command", NS).text == r"C:\A&B <x>\avroll-agent.exe"
    assert (
        task.find("t:Actions/t:Exec/t:Arguments", NS).text
        == r'send --config "C:\My Files\agent.ini"'
    )


def test_xml_bytes_are_utf16_with_a_bom_and_crlf():
    data = schedule.task_xml_bytes(schedule.task_xml([EXE, "send"], 4))
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = data.decode("utf-16")
    assert text.count("\n") == text.count("\r\n") > 10


def test_schtasks_command_lines():
    assert schedule.schtasks_create(r"C:\ProgramData\avroll\task.xml") == [
        "schtasks",
        "/Create",
        "/TN",
        "avroll-agent",
        "/XML",
        r"C:\ProgramData\avroll\task.xml",
        "/F",
    ]
    assert schedule.schtasks_run() == ["schtasks", "/Run", "/TN", "avroll-agent"]
    assert schedule.schtasks_delete() == ["schtasks", "/Delete", "/TN", "avroll-agent", "/F"]
    assert schedule.restrict_folder(r"C:\ProgramData\avroll") == [
        "icacls",
        r"C:\ProgramData\avroll",
        "/inheritance:r",
        "/grant:r",
        "*S-1-5-18:(OI)(CI)F",
        "*S-1-5-32-544:(OI)(CI)F",
    ]


def units(text):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    return parser


def test_systemd_service_runs_send_once():
    service = units(schedule.systemd_service(["/usr/local/bin/avroll-agent", "send"]))
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"] == "/usr/local/bin/avroll-agent send"
    assert service["Unit"]["After"] == "network-online.target"


def test_systemd_timer_boot_interval_and_random_delay():
    timer = units(schedule.systemd_timer(4))
    assert dict(timer["Timer"]) == {
        "OnBootSec": "5min",
        "OnUnitActiveSec": "4h",
        "RandomizedDelaySec": "60min",
    }
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.parametrize(
    "part, expected",
    [
        ("/opt/my agent/avroll-agent", '"/opt/my agent/avroll-agent"'),
        ("/etc/avroll/100%.ini", "/etc/avroll/100%%.ini"),
        ("/home/$USER/a.ini", "/home/$$USER/a.ini"),
        ('say "hi"', '"say \\"hi\\""'),
    ],
)
def test_exec_start_quoting(part, expected):
    assert schedule.systemd_exec([part]) == expected


def test_systemctl_command_lines():
    assert schedule.systemctl_enable() == [
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", "avroll-agent.timer"],
        ["systemctl", "start", "--no-block", "avroll-agent.service"],
    ]
    assert schedule.systemctl_disable() == ["systemctl", "disable", "--now", "avroll-agent.timer"]
