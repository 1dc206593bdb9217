"""The one SCHEDULE list: which job runs, by name; the crons are in config/schedule.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from park.accounts.jobs import purge_expired_sessions
from park.allocation.jobs import remind_expiring_leases
from park.billing.jobs import issue_monthly_statements
from park.bookings.fair_access_jobs import fill_waitlist, run_window_draws
from park.bookings.jobs import expire_pending, release_no_shows, send_reminders
from park.notifications.jobs import send_outbox
from park.reports.jobs import daily_snapshot, fold_report_sums, monthly_snapshot, weekly_snapshot
from park.scheduled_runs import prune_scheduled_runs
from park.settings import CONFIG_DIR, Settings
from park.shared.idempotency import prune_idempotency_keys

Job = Callable[[datetime, Settings], Awaitable[object]]
"""A plain `async def job(now, settings)`: the runner hands it the time and the settings."""


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    """Its key in config/schedule.toml and in the run claims."""
    run: Job
    description: str


SCHEDULE: list[ScheduledJob] = [
    ScheduledJob("daily_snapshot", daily_snapshot,
                 "Occupancy snapshot of the day that ended (and any missed)"),
    ScheduledJob("weekly_snapshot", weekly_snapshot,
                 "Occupancy snapshot of the ISO week that ended"),
    ScheduledJob("monthly_snapshot", monthly_snapshot,
                 "Occupancy snapshot of the month that ended"),
    ScheduledJob("fold_report_sums", fold_report_sums,
                 "Bring the per-day report sums up to date with the bookings changed since"),
    ScheduledJob("monthly_statements", issue_monthly_statements,
                 "Each firm's statement for the month that ended (and any missed)"),
    ScheduledJob("send_outbox", send_outbox,
                 "Send queued mail, retrying failures"),
    ScheduledJob("release_no_shows", release_no_shows,
                 "Mark no-shows and completions; seats return"),
    ScheduledJob("expire_pending", expire_pending,
                 "Expire approvals nobody decided in time"),
    ScheduledJob("send_reminders", send_reminders,
                 "Remind users of tomorrow's bookings"),
    ScheduledJob("remind_expiring_leases", remind_expiring_leases,
                 "Remind firms of leases ending in 90 and 30 days"),
    ScheduledJob("run_window_draws", run_window_draws,
                 "Draw window-mode requests whose cut-off has passed, by effective priority"),
    ScheduledJob("fill_waitlist", fill_waitlist,
                 "Book freed slots for waiting firms, best-ranked first"),
    ScheduledJob("prune_scheduled_runs", prune_scheduled_runs,
                 "Forget run claims older than 30 days"),
    ScheduledJob("purge_expired_sessions", purge_expired_sessions,
                 "Remove expired web sessions and old sign-in failures"),
    ScheduledJob("prune_idempotency_keys", prune_idempotency_keys,
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
