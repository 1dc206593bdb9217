"""The one SCHEDULE list: which job runs, by name; the crons are in config/schedule.toml."""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from park.settings import CONFIG_DIR

Job = Callable[[datetime], Awaitable[object]]


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    """Its key in config/schedule.toml and in the run claims."""
    target: str
    """module:function, a plain `async def job(now)`."""
    description: str

    def resolve(self) -> Job:
        module_name, function_name = self.target.split(":")
        return getattr(importlib.import_module(module_name), function_name)


SCHEDULE: list[ScheduledJob] = [
    ScheduledJob("daily_snapshot", "park.reports.jobs:daily_snapshot",
                 "Occupancy snapshot of the day that ended (and any missed)"),
    ScheduledJob("weekly_snapshot", "park.reports.jobs:weekly_snapshot",
                 "Occupancy snapshot of the ISO week that ended"),
    ScheduledJob("monthly_snapshot", "park.reports.jobs:monthly_snapshot",
                 "Occupancy snapshot of the month that ended"),
    ScheduledJob("monthly_statements", "park.billing.jobs:issue_monthly_statements",
                 "Each firm's statement for the month that ended (and any missed)"),
    ScheduledJob("send_outbox", "park.notifications.jobs:send_outbox",
                 "Send queued mail, retrying failures"),
    ScheduledJob("release_no_shows", "park.bookings.jobs:release_no_shows",
                 "Mark no-shows and completions; seats return"),
    ScheduledJob("expire_pending", "park.bookings.jobs:expire_pending",
                 "Expire approvals nobody decided in time"),
    ScheduledJob("send_reminders", "park.bookings.jobs:send_reminders",
                 "Remind users of tomorrow's bookings"),
    ScheduledJob("remind_expiring_leases", "park.allocation.jobs:remind_expiring_leases",
                 "Remind firms of leases ending in 90 and 30 days"),
    ScheduledJob("run_window_draws", "park.allocation.jobs:run_window_draws",
                 "Draw window-mode requests whose cut-off has passed, by effective priority"),
    ScheduledJob("fill_waitlist", "park.allocation.jobs:fill_waitlist",
                 "Book freed slots for waiting firms, best-ranked first"),
    ScheduledJob("prune_scheduled_runs", "park.jobs:prune_scheduled_runs",
                 "Forget run claims older than 30 days"),
    ScheduledJob("purge_expired_sessions", "park.accounts.jobs:purge_expired_sessions",
                 "Remove expired web sessions and old sign-in failures"),
    ScheduledJob("prune_idempotency_keys", "park.shared.idempotency:prune_idempotency_keys",
                 "Forget Idempotency-Key answers older than 24 hours"),
]

# Jobs run at start-up before the timetable begins: catch-up of missed snapshots.
STARTUP_JOBS = ("daily_snapshot", "weekly_snapshot", "monthly_snapshot", "monthly_statements")


@dataclass(frozen=True)
class Timetable:
    crons: dict[str, str]
    misfire_grace_seconds: int = 300


def load_timetable(config_dir: Path | None = None) -> Timetable:
    """The crons from config/schedule.toml; a job of SCHEDULE without one is an error."""
    path = (config_dir or CONFIG_DIR) / "schedule.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    crons = {str(name): str(cron) for name, cron in data.get("crons", {}).items()}
    missing = [job.name for job in SCHEDULE if job.name not in crons]
    if missing:
        raise ValueError(f"{path}: no cron for {', '.join(missing)}")
    grace = int(data.get("scheduler", {}).get("misfire_grace_seconds", 300))
    return Timetable(crons, grace)
