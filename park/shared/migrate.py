"""Applying the migrations in migrations/ to the configured database."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager


class MigrationFailed(Exception):
    pass


async def upgrade_database(quiet: bool = True) -> None:
    """Apply every migration not yet applied (idempotent)."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await ForwardsMigrationManager(app_name="park").run()
    if not result.success:
        raise MigrationFailed(result.message or output.getvalue())
