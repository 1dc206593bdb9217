"""Piccolo's configuration: one app, and the engine park.shared.db owns (read as DB)."""

from typing import Any

from piccolo.conf.apps import AppRegistry

from park.shared.db import current_engine

APP_REGISTRY = AppRegistry(apps=["park.piccolo_app"])


def __getattr__(name: str) -> Any:
    # Piccolo reads DB when a table class is made and when migrations run; it is always the
    # engine bound now (park.shared.db.bind_engine), never a copy taken at import.
    if name == "DB":
        return current_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
