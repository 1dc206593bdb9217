"""Snapshot reads and writes: a period's report stored once, found, listed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from park.shared.db import fetch
from park.shared.dialect import instant, json_value
from park.reports.queries import as_utc


@dataclass(frozen=True)
class SnapshotRecord:
    id: int
    kind: str
    period: str
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime
    data: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """The list view: identity, bounds and the headline figures."""
        return {
            "id": self.id,
            "kind": self.kind,
            "period": self.period,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "generated_at": self.generated_at,
            "totals": self.data.get("totals", {}),
        }


def _snapshot(row: dict[str, Any]) -> SnapshotRecord:
    data = row["data"]
    if isinstance(data, (str, bytes)):
        data = json.loads(data or "{}")
    return SnapshotRecord(
        id=int(row["id"]),
        kind=row["kind"],
        period=row["period"],
        starts_at=as_utc(row["starts_at"]),
        ends_at=as_utc(row["ends_at"]),
        generated_at=as_utc(row["generated_at"]),
        data=data or {},
    )


_SNAPSHOT_COLUMNS = "id, kind, period, starts_at, ends_at, generated_at, data"


async def find_snapshot(kind: str, period: str) -> SnapshotRecord | None:
    rows = await fetch(
        f"SELECT {_SNAPSHOT_COLUMNS} FROM report_snapshot WHERE kind = $1 AND period = $2",
        kind,
        period,
    )
    return _snapshot(rows[0]) if rows else None


async def get_snapshot(snapshot_id: int) -> SnapshotRecord | None:
    rows = await fetch(
        f"SELECT {_SNAPSHOT_COLUMNS} FROM report_snapshot WHERE id = $1", snapshot_id
    )
    return _snapshot(rows[0]) if rows else None


async def list_snapshots(
    kind: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[SnapshotRecord], int]:
    where = " WHERE kind = $1" if kind else ""
    args: list[Any] = [kind] if kind else []
    total_rows = await fetch(f"SELECT COUNT(*) AS n FROM report_snapshot{where}", *args)
    rows = await fetch(
        f"SELECT {_SNAPSHOT_COLUMNS} FROM report_snapshot{where} "
        f"ORDER BY starts_at DESC, kind, id DESC LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args,
        limit,
        offset,
    )
    return [_snapshot(row) for row in rows], int(total_rows[0]["n"])


async def last_snapshot_end(kind: str) -> datetime | None:
    rows = await fetch(
        "SELECT MAX(ends_at) AS last_end FROM report_snapshot WHERE kind = $1", kind
    )
    value = rows[0]["last_end"] if rows else None
    return as_utc(value) if value is not None else None


async def insert_snapshot_once(
    kind: str,
    period: str,
    starts_at: datetime,
    ends_at: datetime,
    generated_at: datetime,
    data: dict[str, Any],
) -> int | None:
    """Insert unless (kind, period) exists; the new id, or None when another got there first.

    ON CONFLICT DO NOTHING leaves the transaction usable on PostgreSQL,
    where a caught unique violation would abort it.
    """
    rows = await fetch(
        "INSERT INTO report_snapshot (kind, period, starts_at, ends_at, generated_at, data) "
        f"VALUES ($1, $2, {instant('$3')}, {instant('$4')}, {instant('$5')}, {json_value('$6')}) "
        "ON CONFLICT (kind, period) DO NOTHING RETURNING id",
        kind,
        period,
        starts_at,
        ends_at,
        generated_at,
        json.dumps(data, ensure_ascii=False, default=str),
    )
    return int(rows[0]["id"]) if rows else None
