"""`install` and `uninstall`: the config file, the state folder and the scheduled run on this PC."""

from __future__ import annotations

import ntpath
import os
import shutil
import subprocess
import sys

from agent import schedule
from agent.config import config_text, default_config_path
from agent.delivery.spool import write_atomically

SYSTEMD_UNIT_DIR = "/etc/systemd/system"
LINUX_BINARY = "/usr/local/bin/avroll-agent"
TASK_XML_FILENAME = "avroll-agent-task.xml"
WRITTEN_SETTINGS = ("server", "token", "unit", "ca_bundle", "interval_hours")


class InstallError(Exception):
    """The agent could not be installed or removed on this PC."""


def run_command(args):
    """Run an installer command (schtasks, systemctl, icacls); InstallError with its reason if it fails."""
    creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        done = subprocess.run(args, capture_output=True, timeout=120, creationflags=creationflags)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"cannot run {args[0]}: {exc}") from None
    if done.returncode != 0:
        # schtasks speaks the console's code page, not UTF-8; the reason is still mostly ASCII
        lines = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise InstallError(
            "{} failed ({}){}".format(
                " ".join(args[:2]), done.returncode, ": " + lines[-1] if lines else ""
            )
        )


class Installer:
    """Installs the agent for one platform; commands go through `runner` so tests can watch them."""

    def __init__(
        self,
        config,
        platform=None,
        runner=run_command,
        environ=None,
        executable=None,
        frozen=None,
        unit_dir=SYSTEMD_UNIT_DIR,
    ):
        self.config = config
        self.platform = platform or sys.platform
        self.runner = runner
        self.environ = os.environ if environ is None else environ
        self.executable = executable or sys.executable
        self.frozen = getattr(sys, "frozen", False) if frozen is None else frozen
        self.unit_dir = unit_dir
        self.windows = self.platform == "win32"

    def install(self):
        """Write agent.ini, prepare the state folder, register the scheduled run; return what was done."""
        if not self.windows and not self.platform.startswith("linux"):
            raise InstallError("install knows Windows (Task Scheduler) and Linux (systemd) only")
        missing = [
            flag
            for flag, name in (("--server", "server"), ("--token", "token"))
            if not getattr(self.config, name)
        ]
        if missing:
            raise InstallError("install needs " + " and ".join(missing))
        done = [self._make_state_dir(), self._write_config()]  # the folders locked, then the token
        command = self.scheduled_command()
        if self.windows:
            done += self._register_task(command)
        else:
            done += self._register_timer(command)
        return done

    def uninstall(self):
        """Remove the scheduled run, the config file, the state folder and the installed binary."""
        done = []
        try:
            if self.windows:
                self.runner(schedule.schtasks_delete())
                done.append(f"removed the scheduled task {schedule.TASK_NAME}")
            else:
                self.runner(schedule.systemctl_disable())
                done.append(f"stopped {schedule.SYSTEMD_TIMER}")
        except InstallError as exc:  # not installed, or already half removed: go on cleaning
            done.append(f"no scheduled run removed ({exc})")
        if not self.windows:
            for name in (schedule.SYSTEMD_SERVICE, schedule.SYSTEMD_TIMER):
                done += _remove_file(os.path.join(self.unit_dir, name))
            self.runner(["systemctl", "daemon-reload"])
        done += _remove_file(self.config.path)
        _remove_empty_dir(os.path.dirname(self.config.path))
        done += self._remove_state_dir()
        if self.frozen:  # on Windows a running exe cannot delete itself: that line says so
            done += _remove_file(self.installed_binary())
            _remove_empty_dir(os.path.dirname(self.installed_binary()))
        return done

    def installed_binary(self):
        """Where install copies the one-file agent so the schedule never runs it from a share."""
        if self.windows:
            program_files = self.environ.get("ProgramFiles", r"C:\Program Files")
            return ntpath.join(program_files, "avroll", "avroll-agent.exe")
        return LINUX_BINARY

    def scheduled_command(self):
        """The command line the schedule runs: `avroll-agent send`, with --config if not the default."""
        if self.frozen:
            target = self.installed_binary()
            if os.path.abspath(self.executable) != os.path.abspath(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(self.executable, target)
            command = [target, "send"]
        else:
            command = [self.executable, "-m", "agent.cli", "send"]
        if self.config.path != default_config_path(self.platform, self.environ):
            command += ["--config", self.config.path]
        return command

    def _write_config(self):
        values = {name: self.config.values[name] for name in WRITTEN_SETTINGS}
        if self.config.sources["state_dir"] != "default":
            values["state_dir"] = self.config.state_dir
        folder = os.path.dirname(self.config.path) or "."
        os.makedirs(folder, exist_ok=True)
        if self.windows and os.path.normcase(folder) != os.path.normcase(self.config.state_dir):
            self.runner(schedule.restrict_folder(folder))
        write_atomically(self.config.path, config_text(values))  # 0600: it holds the token
        return f"wrote {self.config.path}"

    def _make_state_dir(self):
        os.makedirs(self.config.state_dir, exist_ok=True)
        if self.windows:
            self.runner(schedule.restrict_folder(self.config.state_dir))
        else:
            os.chmod(self.config.state_dir, 0o700)
        return f"state folder {self.config.state_dir}"

    def _register_task(self, command):
        xml_path = os.path.join(self.config.state_dir, TASK_XML_FILENAME)
        with open(xml_path, "wb") as handle:
            handle.write(
                schedule.task_xml_bytes(schedule.task_xml(command, self.config.interval_hours))
            )
        self.runner(schedule.schtasks_create(xml_path))
        self.runner(schedule.schtasks_run())
        return [
            f"registered the scheduled task {schedule.TASK_NAME} (SYSTEM, at start-up and "
            f"every {self.config.interval_hours} h), first report started"
        ]

    def _register_timer(self, command):
        os.makedirs(self.unit_dir, exist_ok=True)
        units = (
            (schedule.SYSTEMD_SERVICE, schedule.systemd_service(command)),
            (schedule.SYSTEMD_TIMER, schedule.systemd_timer(self.config.interval_hours)),
        )
        for name, text in units:
            write_atomically(os.path.join(self.unit_dir, name), text, mode=0o644)
        for args in schedule.systemctl_enable():
            self.runner(args)
        return [
            f"enabled {schedule.SYSTEMD_TIMER} (at start-up and every "
            f"{self.config.interval_hours} h), first report started"
        ]

    def _remove_state_dir(self):
        state_dir = self.config.state_dir
        if not os.path.isdir(state_dir):
            return []
        # Only a folder of our own is removed whole; a state_dir pointed at a shared folder
        # by mistake must not take its neighbours with it.
        if "avroll" not in os.path.basename(os.path.normpath(state_dir)).lower():
            return [f"left {state_dir} in place (not an avroll folder): remove it by hand"]
        shutil.rmtree(state_dir, ignore_errors=True)
        return [f"removed {state_dir}"]


def _remove_file(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"could not remove {path}: {exc.strerror or exc}"]
    return [f"removed {path}"]


def _remove_empty_dir(path):
    if "avroll" not in os.path.basename(os.path.normpath(path)).lower():
        return  # /etc, /usr/local/bin and the like are not ours, even when empty
    try:
        os.rmdir(path)
    except OSError:  # not empty, not there, or not ours to remove
        pass
