"""Run claims of the scheduler (the scheduled_run table): claim a slot, record its end, prune."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from park.settings import Settings
from park.shared.db import fetch
from park.shared.dialect import instant

PROCESS = f"{socket.gethostname()}:{os.getpid()}"[:100]
"""This process, as run claims name it."""

RUN_HISTORY = timedelta(days=30)
"""Claims are only needed while a slot might still fire (the misfire grace);
a month of them is kept for the operator to read."""


async def claim_run(job_name: str, slot: datetime, now: datetime) -> int | None:
    """Claim the run of `job_name` for `slot`; its id, or None when already claimed."""
    rows = await fetch(
        "INSERT INTO scheduled_run (job, slot, started_at, status, detail, process) "
        f"VALUES ($1, {instant('$2')}, {instant('$3')}, $4, $5, $6) "
        "ON CONFLICT (job, slot) DO NOTHING RETURNING id",
        job_name,
        slot,
        now,
        "running",
        "",
        PROCESS,
    )
    return int(rows[0]["id"]) if rows else None


async def finish_run(run_id: int, status: str, detail: str, now: datetime) -> None:
    await fetch(
        f"UPDATE scheduled_run SET status = $1, detail = $2, finished_at = {instant('$3')} "
        "WHERE id = $4",
        status,
        detail[:2000],
        now,
        run_id,
    )


async def prune_scheduled_runs(now: datetime, settings: Settings) -> int:
    """Delete run claims older than RUN_HISTORY; returns how many."""
    rows = await fetch(f"DELETE FROM scheduled_run WHERE slot < {instant('$1')} RETURNING id", now - RUN_HISTORY)
    return len(rows)
