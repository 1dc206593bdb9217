"""Settings: defaults, overrides, and refusal to start with a bad value."""

import os
import subprocess
import sys

import pytest

from park.settings import SettingsError, load_settings


def test_environment_overrides_the_config_file():
    settings = load_settings({"PARK_TIMEZONE": "Europe/Berlin", "PARK_MAX_BODY_BYTES": "2048"})
    assert settings.timezone == "Europe/Berlin"
    assert settings.max_body_bytes == 2048


def test_defaults_come_from_config_directory():
    settings = load_settings({})
    assert settings.timezone == "Asia/Shanghai"
    assert settings.database_url == "sqlite:///park.db"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("PARK_TIMEZONE", "Mars/Olympus_Mons", "PARK_TIMEZONE"),
        ("PARK_DATABASE_URL", "mysql://root@localhost/park", "PARK_DATABASE_URL"),
        ("PARK_DATABASE_URL", "postgresql://", "PARK_DATABASE_URL"),
        ("PARK_MAX_BODY_BYTES", "lots", "PARK_MAX_BODY_BYTES"),
        ("PARK_SCHEDULER_EMBEDDED", "maybe", "PARK_SCHEDULER_EMBEDDED"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(variable, value, named):
    with pytest.raises(SettingsError, match=named):
        load_settings({variable: value})


def test_production_refuses_the_built_in_secret():
    with pytest.raises(SettingsError, match="PARK_SECRET_KEY"):
        load_settings({"PARK_ENVIRONMENT": "production"})
    assert load_settings({"PARK_ENVIRONMENT": "production", "PARK_SECRET_KEY": "x" * 40}).secret_key == "x" * 40


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("PARK_TIMEZONE", "Nowhere/Town", "PARK_TIMEZONE"),
        ("PARK_DATABASE_URL", "oracle://db", "PARK_DATABASE_URL"),
        ("PARK_ENVIRONMENT", "production", "PARK_SECRET_KEY"),
    ],
)
def test_the_command_stops_with_one_clear_line_and_exit_code_2(variable, value, named):
    result = subprocess.run(
        [sys.executable, "-m", "park.cli", "db", "upgrade"],
        env=os.environ | {variable: value, "PARK_SECRET_KEY": "development-only-secret-key-change-me-please"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr
