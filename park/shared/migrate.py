"""Applying the migrations in migrations/ to the configured database."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager

from park.shared.db import fetch, is_sqlite


class MigrationFailed(Exception):
    pass


@dataclass(frozen=True)
class Upgrade:
    """What one upgrade did: the migrations it applied and the tables it created, and what was there."""

    applied: list[str]
    created_tables: list[str]
    applied_before: int
    tables_after: int

    def summary(self) -> str:
        """One or two lines for `park db upgrade`."""
        if not self.applied:
            return (f"The database is up to date: {self.applied_before} migrations were applied before, "
                    f"nothing to do ({self.tables_after} tables).")
        lines = [f"Applied {len(self.applied)} migrations ({self.applied[0]} … {self.applied[-1]})."
                 if len(self.applied) > 1 else f"Applied 1 migration ({self.applied[0]})."]
        if self.created_tables:
            lines.append(f"Created {len(self.created_tables)} tables: {', '.join(self.created_tables)}.")
        if not self.applied_before:
            lines.append("The database was empty; it is now ready for `park demo load` or `park serve`.")
        return "\n".join(lines)


async def table_names() -> set[str]:
    """The tables of the configured database."""
    if is_sqlite():
        rows = await fetch("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {row["name"] for row in rows}
    rows = await fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    return {row["name"] for row in rows}


async def _applied_migrations(tables: set[str]) -> list[str]:
    if "migration" not in tables:
        return []
    rows = await fetch("SELECT name FROM migration WHERE app_name = 'park' ORDER BY id")
    return [row["name"] for row in rows]


async def upgrade_database(quiet: bool = True) -> Upgrade:
    """Apply every migration not yet applied (idempotent); says what it did."""
    tables_before = await table_names()
    before = await _applied_migrations(tables_before)
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await ForwardsMigrationManager(app_name="park").run()
    if not result.success:
        raise MigrationFailed(result.message or output.getvalue())
    tables_after = await table_names()
    after = await _applied_migrations(tables_after)
    return Upgrade(
        applied=[name for name in after if name not in set(before)],
        created_tables=sorted(tables_after - tables_before),
        applied_before=len(before),
        tables_after=len(tables_after),
    )
