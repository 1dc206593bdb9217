"""The scheduler runner: APScheduler 3 in the running loop, each run claimed once.

Several scheduler processes may run (one per `park serve` worker when
embedded, or several `park scheduler`). Processes cannot share an
APScheduler job store, so each run protects itself:

1. a PostgreSQL advisory lock per job, held on its own connection for the
   run, so two runs of one job never overlap (SQLite: one machine, the claim
   below is enough);
2. a claim of (job, slot) in `scheduled_run`, unique in the database, where
   the slot is the cron fire time the run belongs to: the first process to
   claim a slot runs it, the others skip it.

Snapshots are unique per (kind, period) besides, so even a job run twice
could not make a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import signal
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from park.scheduled_runs import PROCESS, claim_run, finish_run
from park.scheduling import SCHEDULE, STARTUP_JOBS, ScheduledJob, Timetable, load_timetable
from park.settings import Settings
from park.shared.clock import utc_now
from park.shared.db import close_database, current_engine, is_sqlite, open_database

log = logging.getLogger("park.scheduler")


def lock_key(job_name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    digest = hashlib.blake2b(f"park.job.{job_name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.asynccontextmanager
async def job_lock(job_name: str) -> AsyncIterator[bool]:
    """Hold the job's advisory lock for the block; yields False when another holds it."""
    if is_sqlite():
        # Not a dialect fragment but a different mechanism: SQLite has no advisory locks, and
        # the run claim (park.scheduled_runs, unique job and slot) already keeps runs single.
        yield True
        return
    connection = await current_engine().get_new_connection()
    try:
        held = await connection.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(job_name))
        try:
            yield bool(held)
        finally:
            if held:
                await connection.execute("SELECT pg_advisory_unlock($1)", lock_key(job_name))
    finally:
        await connection.close()


async def run_job(job: ScheduledJob, slot: datetime | None, settings: Settings, clock=utc_now) -> str:
    """Run one job once for `slot` (None: no claim, only the lock), handing it now and the
    settings. Returns what happened: done, failed, busy (another process is running it) or
    taken (its slot was run)."""
    async with job_lock(job.name) as held:
        if not held:
            log.info("job %s: another process is running it", job.name)
            return "busy"
        run_id = None
        if slot is not None:
            run_id = await claim_run(job.name, slot, clock())
            if run_id is None:
                log.info("job %s: slot %s already run", job.name, slot.isoformat())
                return "taken"
        try:
            result = await job.run(clock(), settings)
        except Exception as error:  # a failing job must not stop the scheduler
            log.exception("job %s failed", job.name)
            if run_id is not None:
                await finish_run(run_id, "failed", f"{type(error).__name__}: {error}", clock())
            return "failed"
        if run_id is not None:
            await finish_run(run_id, "done", _describe(result), clock())
        return "done"


def _describe(result: object) -> str:
    if result is None:
        return ""
    if isinstance(result, list):
        return f"{len(result)} item(s)"
    return str(result)[:200]


def latest_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime:
    """The last time `trigger` fired at or before `now`: the slot a late run belongs to.

    Two processes that wake a little apart compute the same slot, which is
    what lets the claim tell them apart.
    """
    fire = trigger.get_next_fire_time(None, now - lookback)
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest or now.replace(second=0, microsecond=0)


SLOT_RETRY = timedelta(seconds=5)
"""How often a slot that could not reach the database is tried again."""


async def run_scheduled(
    job: ScheduledJob, trigger: CronTrigger, lookback: timedelta, settings: Settings, clock=utc_now,
    pause=asyncio.sleep,
) -> str:
    """What APScheduler calls at each fire time.

    A slot whose lock or claim cannot reach the database (a failover, a restart) is tried again
    every SLOT_RETRY until shortly before the next slot is due, so an outage shorter than the
    job's period skips no slot; the claim still makes the retried slot run once in all. The
    retrying stops in time for the next fire, which `max_instances=1` would otherwise skip.
    """
    slot = latest_fire_time(trigger, clock(), lookback)
    next_slot = trigger.get_next_fire_time(slot, slot + timedelta(microseconds=1))
    while True:
        try:
            return await run_job(job, slot, settings, clock)
        except Exception as error:  # run_job catches the job's own failures: this is the database
            if next_slot is None or clock() + 2 * SLOT_RETRY >= next_slot:
                raise
            log.warning("job %s: slot %s could not start (%s); trying again", job.name, slot.isoformat(), error)
            await pause(SLOT_RETRY.total_seconds())


def build_scheduler(settings: Settings, timetable: Timetable | None = None) -> AsyncIOScheduler:
    """Every job of SCHEDULE on its cron, in the park's time zone; not started."""
    timetable = timetable or load_timetable()
    zone = settings.zone
    grace = timetable.misfire_grace_seconds
    scheduler = AsyncIOScheduler(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
    )
    lookback = timedelta(seconds=grace + 120)
    for job in SCHEDULE:
        trigger = CronTrigger.from_crontab(timetable.crons[job.name], timezone=zone)
        scheduler.add_job(
            functools.partial(run_scheduled, job, trigger, lookback, settings),
            trigger=trigger,
            id=job.name,
            name=job.description,
            replace_existing=True,
        )
    return scheduler


async def catch_up(settings: Settings, clock=utc_now) -> dict[str, str]:
    """At start: produce the periods missed while no scheduler ran, each once."""
    jobs = {job.name: job for job in SCHEDULE}
    return {name: await run_job(jobs[name], None, settings, clock) for name in STARTUP_JOBS}


class Runner:
    """A started scheduler and its start-up catch-up task (for the app's lifespan)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.scheduler: AsyncIOScheduler | None = None
        self.catch_up_task: asyncio.Task[dict[str, str]] | None = None

    def start(self) -> None:
        """Call inside the running loop: APScheduler's AsyncIOScheduler needs it."""
        self.scheduler = build_scheduler(self.settings)
        self.scheduler.start()
        self.catch_up_task = asyncio.get_running_loop().create_task(catch_up(self.settings))
        log.info("scheduler started in %s with %d jobs", PROCESS, len(SCHEDULE))

    async def stop(self) -> None:
        if self.catch_up_task is not None and not self.catch_up_task.done():
            self.catch_up_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.catch_up_task
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            # AsyncIOScheduler hands shutdown to the loop: let it run.
            await asyncio.sleep(0)


async def run_forever(settings: Settings) -> None:
    """`park scheduler`: the jobs alone, until SIGINT or SIGTERM."""
    engine = await open_database(settings, keep_trying=True)
    runner = Runner(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopping.set)
    try:
        runner.start()
        await stopping.wait()
    finally:
        await runner.stop()
        await close_database(engine)
