"""Settings come from a flag, else the environment, else agent.ini, else a default."""

from __future__ import annotations

import pytest

from agent.config import ConfigError, config_text, default_config_path, default_state_dir, resolve


def write_ini(path, **values):
    path.write_text(
        "[avroll]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()), encoding="utf-8"
    )
    return str(path)


def test_flag_beats_environment_beats_file_beats_default(tmp_path):
    ini = write_ini(
        tmp_path / "agent.ini",
        server="http://file:1",
        unit="FILE",
        token="file-token",
        interval_hours="6",
    )
    environ = {"AVROLL_CONFIG": ini, "AVROLL_UNIT": "ENV", "AVROLL_TOKEN": "env-token"}
    config = resolve({"token": "flag-token"}, environ, platform="linux")
    assert (config.server, config.unit, config.token, config.interval_hours) == (
        "http://file:1",
        "ENV",
        "flag-token",
        6,
    )
    assert config.sources["server"] == ini
    assert config.sources["unit"] == "environment"
    assert config.sources["token"] == "flag"
    assert config.sources["ca_bundle"] == "default" and config.verify is True


def test_defaults_without_any_file(tmp_path):
    config = resolve({"config": str(tmp_path / "none.ini")}, {}, platform="linux")
    assert config.server is None and config.token is None
    assert config.interval_hours == 4
    assert config.path == str(tmp_path / "none.ini")


def test_ca_bundle_becomes_requests_verify(tmp_path):
    config = resolve({"config": str(tmp_path / "x.ini")}, {"AVROLL_CA_BUNDLE": "/ca.pem"})
    assert config.verify == "/ca.pem"


def test_windows_keeps_config_and_state_in_program_data():
    environ = {"ProgramData": r"D:\ProgramData"}
    assert default_config_path("win32", environ) == r"D:\ProgramData\avroll\agent.ini"
    assert default_state_dir("win32", environ) == r"D:\ProgramData\avroll"


def test_linux_paths_for_root_and_for_a_user():
    assert default_config_path("linux") == "/etc/avroll/agent.ini"
    assert default_state_dir("linux", {}, is_root=True) == "/var/lib/avroll"
    assert (
        default_state_dir("linux", {"XDG_STATE_HOME": "/home/a/.st"}, is_root=False)
        == "/home/a/.st/avroll"
    )


@pytest.mark.parametrize("bad", ["0", "25", "two"])
def test_interval_out_of_range_is_refused(tmp_path, bad):
    with pytest.raises(ConfigError, match="interval_hours"):
        resolve({"config": str(tmp_path / "x.ini"), "interval_hours": bad}, {})


def test_server_must_be_a_url(tmp_path):
    with pytest.raises(ConfigError, match="http:// or https://"):
        resolve({"config": str(tmp_path / "x.ini"), "server": "10.0.0.5:8080"}, {})


def test_unreadable_file_is_a_config_error(tmp_path):
    ini = tmp_path / "agent.ini"
    ini.write_text("not an ini file\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        resolve({"config": str(ini)}, {})


def test_written_config_reads_back_with_a_bom_too(tmp_path):
    values = {
        "server": "https://avroll.example",
        "token": "t0k",
        "unit": "SXD",
        "ca_bundle": None,
        "interval_hours": 6,
    }
    ini = tmp_path / "agent.ini"
    ini.write_bytes(b"\xef\xbb\xbf" + config_text(values).encode("utf-8"))  # as Notepad saves
    config = resolve({"config": str(ini)}, {})
    assert (config.server, config.token, config.unit, config.ca_bundle, config.interval_hours) == (
        "https://avroll.example",
        "t0k",
        "SXD",
        None,
        6,
    )
    assert "ca_bundle" not in config_text(values)
