"""Checks that must pass before Park starts: settings and the files they name."""

from __future__ import annotations

import importlib
import importlib.util

from park.settings import Settings, SettingsError

# Each entry: (module, function) called with the settings; it raises SettingsError naming what is wrong.
CHECKS = [
    ("park.priority.service", "check_policy_file"),
]


def check_startup(settings: Settings) -> None:
    for module_name, function_name in CHECKS:
        if importlib.util.find_spec(module_name) is None:
            continue
        check = getattr(importlib.import_module(module_name), function_name, None)
        if check is None:
            continue
        try:
            check(settings)
        except SettingsError:
            raise
        except Exception as error:  # a broken file must name itself, not dump a traceback
            raise SettingsError(f"{module_name}: {error}") from None
