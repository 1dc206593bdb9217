"""Checks that must pass before Park starts: settings and the files they name."""

from __future__ import annotations

from collections.abc import Callable

from park.priority.service import check_policy_file
from park.settings import Settings, SettingsError

CHECKS: list[Callable[[Settings], None]] = [check_policy_file]
"""Each is called with the settings; it raises (SettingsError or any error) naming what is wrong."""


def check_startup(settings: Settings) -> None:
    for check in CHECKS:
        try:
            check(settings)
        except SettingsError:
            raise
        except Exception as error:  # a broken file must name itself, not dump a traceback
            raise SettingsError(f"{check.__module__}: {error}") from None
