"""The agent's settings, each resolved in one order: flag, environment, agent.ini, default."""

from __future__ import annotations

import configparser
import ntpath
import os
import posixpath
import sys
from collections import namedtuple
from io import StringIO

SECTION = "avroll"
CONFIG_ENV = "AVROLL_CONFIG"
CONFIG_FILENAME = "agent.ini"

Setting = namedtuple("Setting", "name env help")

SETTINGS = (
    Setting("server", "AVROLL_SERVER", "collector URL, e.g. https://avroll.example.gov.vn"),
    Setting(
        "token",
        "AVROLL_TOKEN",
        "enrollment token from `avroll tokens create` (never printed or logged)",
    ),
    Setting("unit", "AVROLL_UNIT", "code of the unit this computer belongs to"),
    Setting(
        "ca_bundle",
        "AVROLL_CA_BUNDLE",
        "CA certificates file (PEM) to verify the collector's HTTPS certificate",
    ),
    Setting(
        "interval_hours", "AVROLL_INTERVAL_HOURS", "hours between scheduled reports (default 4)"
    ),
    Setting("state_dir", "AVROLL_STATE_DIR", "folder for the machine credential, spool and log"),
)
DEFAULT_INTERVAL_HOURS = 4
SECRET_SETTINGS = ("token",)


class ConfigError(Exception):
    """A setting has a value the agent cannot use, or agent.ini cannot be read."""


class Config:
    """The resolved settings, with where each came from (flag, env, file or default)."""

    def __init__(self, values, sources, path):
        self.values = values
        self.sources = sources
        self.path = path

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def verify(self):
        """What requests' `verify` takes: the CA bundle's path, or True for the default CAs."""
        return self.values["ca_bundle"] or True

    def secrets(self):
        """The values that must never appear in a log or on screen."""
        return [self.values[name] for name in SECRET_SETTINGS if self.values[name]]


def program_data_dir(environ=None):
    """`%ProgramData%\\avroll`, where Windows keeps both config and state for all users."""
    environ = os.environ if environ is None else environ
    return ntpath.join(environ.get("ProgramData", r"C:\ProgramData"), "avroll")


def default_config_path(platform=None, environ=None):
    """agent.ini's place: `%ProgramData%\\avroll\\` on Windows, `/etc/avroll/` elsewhere."""
    if (platform or sys.platform) == "win32":
        return ntpath.join(program_data_dir(environ), CONFIG_FILENAME)
    return "/etc/avroll/" + CONFIG_FILENAME


def default_state_dir(platform=None, environ=None, is_root=None):
    """`%ProgramData%\\avroll` on Windows; `/var/lib/avroll` for root, else the user's state dir.

    A Linux user who is not root cannot write /var/lib, and `avroll-agent send` run by hand
    must still be able to spool, so it gets `$XDG_STATE_HOME/avroll` (~/.local/state/avroll).
    """
    environ = os.environ if environ is None else environ
    if (platform or sys.platform) == "win32":
        return program_data_dir(environ)
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root:
        return "/var/lib/avroll"
    # Linux paths whatever OS asks (the tests run on Windows too).
    base = environ.get("XDG_STATE_HOME") or posixpath.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return posixpath.join(base, "avroll")


def read_config_file(path):
    """The [avroll] section of agent.ini as a dict; empty if the file does not exist."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8-sig") as handle:  # Notepad may add a BOM
            parser.read_file(handle)
    except FileNotFoundError:
        return {}
    except (OSError, configparser.Error) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not parser.has_section(SECTION):
        return {}
    known = {setting.name for setting in SETTINGS}
    return {key: value.strip() for key, value in parser.items(SECTION) if key in known}


def resolve(flags=None, environ=None, platform=None):
    """Every setting from `flags` (None = not given), then `environ`, then agent.ini, then defaults."""
    flags = flags or {}
    environ = os.environ if environ is None else environ
    path = flags.get("config") or environ.get(CONFIG_ENV) or default_config_path(platform, environ)
    from_file = read_config_file(path)
    values, sources = {}, {}
    for setting in SETTINGS:
        for source, candidates in (("flag", flags), ("environment", environ), (path, from_file)):
            key = setting.env if source == "environment" else setting.name
            if candidates.get(key):
                values[setting.name], sources[setting.name] = candidates[key], source
                break
        else:
            values[setting.name], sources[setting.name] = None, "default"
    if values["state_dir"] is None:
        values["state_dir"] = default_state_dir(platform, environ)
    values["interval_hours"] = _interval(values["interval_hours"])
    if values["server"] and not values["server"].startswith(("http://", "https://")):
        raise ConfigError(
            f"the collector URL must start with http:// or https://: {values['server']!r}"
        )
    return Config(values, sources, path)


def _interval(value):
    if value is None:
        return DEFAULT_INTERVAL_HOURS
    try:
        hours = int(value)
    except ValueError:
        raise ConfigError(f"interval_hours must be a whole number of hours: {value!r}") from None
    if not 1 <= hours <= 24:
        raise ConfigError(f"interval_hours must be between 1 and 24: {hours}")
    return hours


def config_text(values):
    """agent.ini's content for `values` (empty settings are left out)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser[SECTION] = {
        setting.name: str(values[setting.name])
        for setting in SETTINGS
        if values.get(setting.name) not in (None, "")
    }
    lines = [
        "# avroll agent settings, written by `avroll-agent install`.",
        "# Environment variables (AVROLL_SERVER, ...) and flags override them.",
        "",
    ]
    buffer = StringIO()
    parser.write(buffer)
    return "\n".join(lines) + buffer.getvalue()
