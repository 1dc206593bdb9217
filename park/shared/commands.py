"""What every `park` command shares: ending with a message, and loading the settings it runs with.

park/cli.py mounts every command (its own and each domain's park/<domain>/cli.py COMMANDS) and
hands the start-up checks down through click's context, so that a domain's commands import
nothing above their own layer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

import click

from park.settings import Settings, SettingsError, load_settings

STARTUP_CHECK = "park.startup_check"
"""Key in the click context's `meta` of the check park/cli.py runs on the settings before a command."""


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"park: {message}", err=True)
    sys.exit(code)


def settings_or_exit() -> Settings:
    """Load and validate settings and the files they name; a bad value ends the command with exit code 2."""
    context = click.get_current_context()
    check: Callable[[Settings], None] | None = context.meta.get(STARTUP_CHECK)
    if check is None:
        raise RuntimeError("a park command runs under park.cli's `park` group, which sets the start-up check")
    try:
        settings = load_settings()
        check(settings)
    except SettingsError as error:
        fail(str(error))
    return settings
