"""The scheduled run, as text: a Windows Task Scheduler task and a systemd service with its timer."""

from __future__ import annotations

import subprocess
from html import escape

TASK_NAME = "avroll-agent"
SYSTEMD_SERVICE = "avroll-agent.service"
SYSTEMD_TIMER = "avroll-agent.timer"
BOOT_DELAY_MINUTES = 5  # let the network come up first
MAX_RANDOM_DELAY_MINUTES = 60  # 5,000 PCs spread over an hour, not the same second
RUN_TIME_LIMIT_MINUTES = 30
# A fixed past start: the repetition then runs every N hours from 08:00 local time, forever.
TASK_START_BOUNDARY = "2024-01-01T08:00:00"
SYSTEM_SID = "S-1-5-18"  # LocalSystem; SIDs, not names, which Vietnamese Windows translates
ADMINISTRATORS_SID = "S-1-5-32-544"


def random_delay_minutes(interval_hours):
    """The spread of the scheduled runs: an hour, or half the interval if that is shorter."""
    return min(MAX_RANDOM_DELAY_MINUTES, interval_hours * 30)


def task_xml(command, interval_hours):
    """Task Scheduler XML (schema 1.2, Windows 7+) running `command` as SYSTEM at boot and every N hours."""
    program, arguments = command[0], subprocess.list2cmdline(command[1:])
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>avroll</Author>
    <Description>Reports this computer's antivirus state to the avroll collector.</Description>
    <URI>\\{TASK_NAME}</URI>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
      <Delay>PT{BOOT_DELAY_MINUTES}M</Delay>
    </BootTrigger>
    <TimeTrigger>
      <Enabled>true</Enabled>
      <StartBoundary>{TASK_START_BOUNDARY}</StartBoundary>
      <Repetition>
        <Interval>PT{interval_hours}H</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <RandomDelay>PT{random_delay_minutes(interval_hours)}M</RandomDelay>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{SYSTEM_SID}</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT{RUN_TIME_LIMIT_MINUTES}M</ExecutionTimeLimit>
    <Priority>7</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(program, quote=False)}</Command>
      <Arguments>{escape(arguments, quote=False)}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def task_xml_bytes(xml):
    """The XML as schtasks reads it most reliably: UTF-16 with a byte-order mark."""
    return xml.replace("\n", "\r\n").encode("utf-16")


def schtasks_create(xml_path):
    """The command registering (or replacing) the task from its XML file."""
    return ["schtasks", "/Create", "/TN", TASK_NAME, "/XML", xml_path, "/F"]


def schtasks_run():
    """The command starting the task once now, so the PC reports right after install."""
    return ["schtasks", "/Run", "/TN", TASK_NAME]


def schtasks_delete():
    """The command removing the task."""
    return ["schtasks", "/Delete", "/TN", TASK_NAME, "/F"]


def restrict_folder(path):
    """icacls giving only SYSTEM and Administrators access: the folder holds the token."""
    return [
        "icacls",
        path,
        "/inheritance:r",
        "/grant:r",
        f"*{SYSTEM_SID}:(OI)(CI)F",
        f"*{ADMINISTRATORS_SID}:(OI)(CI)F",
    ]


def systemd_exec(command):
    """`command` quoted for an ExecStart= line (systemd splits like a shell, expands % and $)."""
    parts = []
    for part in command:
        part = part.replace("%", "%%").replace("$", "$$")
        if any(char.isspace() or char in "\"'\\;" for char in part) or not part:
            part = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(part)
    return " ".join(parts)


def systemd_service(command):
    """The oneshot service that runs one report."""
    return f"""[Unit]
Description=avroll agent: report this computer's antivirus state to the collector
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={systemd_exec(command)}
Nice=10
IOSchedulingClass=idle
TimeoutStartSec={RUN_TIME_LIMIT_MINUTES}min
"""


def systemd_timer(interval_hours):
    """The timer starting the service after boot and every N hours, each time at a random delay."""
    # No Persistent=: systemd honours it only with OnCalendar=; OnBootSec= already catches up
    # after a PC was switched off, and OnUnitActiveSec= counts from the last run.
    return f"""[Unit]
Description=Run the avroll agent at start-up and every {interval_hours} hours

[Timer]
OnBootSec={BOOT_DELAY_MINUTES}min
OnUnitActiveSec={interval_hours}h
RandomizedDelaySec={random_delay_minutes(interval_hours)}min

[Install]
WantedBy=timers.target
"""


def systemctl_enable():
    """The commands making systemd load the units and start the timer now and at every boot."""
    return [
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", SYSTEMD_TIMER],
        ["systemctl", "start", "--no-block", SYSTEMD_SERVICE],
    ]


def systemctl_disable():
    """The command stopping the timer and removing it from boot."""
    return ["systemctl", "disable", "--now", SYSTEMD_TIMER]
