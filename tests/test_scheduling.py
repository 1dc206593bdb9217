"""The scheduler: one list of jobs on crons in the park's zone, each run claimed once."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from park import jobs
from park.scheduled_runs import prune_scheduled_runs
from park.scheduling import SCHEDULE, STARTUP_JOBS, ScheduledJob, load_timetable
from park.shared.db import is_sqlite, fetch

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def test_every_scheduled_job_has_a_cron_and_is_a_plain_async_job():
    timetable = load_timetable()
    for job in SCHEDULE:
        assert job.name in timetable.crons
        assert asyncio.iscoroutinefunction(job.run), job.name
        # The runner hands every job the time and the settings; none loads its own.
        assert list(inspect.signature(job.run).parameters) == ["now", "settings"], job.name
    assert set(timetable.crons) == {job.name for job in SCHEDULE}
    assert set(STARTUP_JOBS) <= {job.name for job in SCHEDULE}


def test_snapshot_crons_fire_daily_on_mondays_and_on_the_first_in_the_park_zone():
    crons = load_timetable().crons
    after = local(2026, 11, 25, 12)  # a Wednesday

    def next_fire(name: str) -> datetime:
        trigger = CronTrigger.from_crontab(crons[name], timezone=SHANGHAI)
        return trigger.get_next_fire_time(None, after)

    assert next_fire("daily_snapshot") == local(2026, 11, 26, 0, 10)
    assert next_fire("weekly_snapshot") == local(2026, 11, 30, 0, 20)
    assert next_fire("weekly_snapshot").weekday() == 0
    assert next_fire("monthly_snapshot") == local(2026, 12, 1, 0, 30)


def test_built_scheduler_coalesces_runs_one_instance_at_a_time_in_the_park_zone(settings):
    scheduler = jobs.build_scheduler(settings)
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["max_instances"] == 1
    assert scheduler._job_defaults["misfire_grace_time"] == load_timetable().misfire_grace_seconds
    assert str(scheduler.timezone) == settings.timezone
    assert {job.id for job in scheduler.get_jobs()} == {job.name for job in SCHEDULE}


def test_processes_waking_apart_compute_the_same_slot():
    trigger = CronTrigger.from_crontab("10 0 * * *", timezone=SHANGHAI)
    lookback = timedelta(minutes=7)
    on_time = jobs.latest_fire_time(trigger, local(2026, 11, 26, 0, 10, 0), lookback)
    late = jobs.latest_fire_time(trigger, local(2026, 11, 26, 0, 14, 30), lookback)
    assert on_time == late == local(2026, 11, 26, 0, 10)
    every_minute = CronTrigger.from_crontab("* * * * *", timezone=SHANGHAI)
    assert jobs.latest_fire_time(every_minute, local(2026, 11, 26, 9, 3, 59), lookback) == local(2026, 11, 26, 9, 3)


calls: list[datetime] = []


async def counting_job(now: datetime, settings) -> int:
    calls.append(now)
    return len(calls)


async def failing_job(now: datetime, settings) -> None:
    raise RuntimeError("mail server on fire")


def fixed(instant: datetime):
    return lambda: instant


async def test_a_claimed_slot_runs_once_and_is_recorded(db, settings):
    calls.clear()
    job = ScheduledJob("counting", counting_job, "test job")
    slot = local(2026, 11, 26, 0, 10)
    clock = fixed(slot + timedelta(seconds=3))
    assert await jobs.run_job(job, slot, settings, clock) == "done"
    assert await jobs.run_job(job, slot, settings, clock) == "taken"
    assert await jobs.run_job(job, slot + timedelta(days=1), settings, clock) == "done"
    assert len(calls) == 2
    rows = await fetch("SELECT status, detail FROM scheduled_run WHERE job = 'counting' ORDER BY id")
    assert [row["status"] for row in rows] == ["done", "done"]


async def test_a_failing_job_is_recorded_as_failed_and_does_not_stop_the_scheduler(db, settings):
    job = ScheduledJob("failing", failing_job, "test job")
    slot = local(2026, 11, 26, 0, 10)
    assert await jobs.run_job(job, slot, settings, fixed(slot)) == "failed"
    (row,) = await fetch("SELECT status, detail FROM scheduled_run WHERE job = 'failing'")
    assert row["status"] == "failed"
    assert "mail server on fire" in row["detail"]


@pytest.mark.skipif("os.environ.get('PARK_TEST_BACKEND') != 'postgres'")
async def test_the_advisory_lock_keeps_a_second_run_of_a_job_out_while_the_first_runs(db):
    assert not is_sqlite()
    async with jobs.job_lock("daily_snapshot") as first:
        async with jobs.job_lock("daily_snapshot") as second:
            assert first is True
            assert second is False
        async with jobs.job_lock("weekly_snapshot") as other_job:
            assert other_job is True
    async with jobs.job_lock("daily_snapshot") as after:
        assert after is True


SCHEDULER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys, time
    from datetime import datetime, timedelta, timezone
    from apscheduler.triggers.cron import CronTrigger
    from park import jobs
    from park.scheduling import SCHEDULE, load_timetable
    from park.settings import load_settings
    from park.shared.db import close_database, open_database

    async def main(start_at, now):
        settings = load_settings()
        engine = await open_database(settings)
        timetable = load_timetable()
        clock = lambda: now
        try:
            time.sleep(max(0.0, start_at - time.time()))
            outcomes = []
            for job in SCHEDULE:
                if job.name.endswith("_snapshot"):
                    trigger = CronTrigger.from_crontab(timetable.crons[job.name], timezone=settings.zone)
                    outcomes.append(await jobs.run_scheduled(job, trigger, timedelta(minutes=10), settings, clock))
            print(",".join(outcomes))
        finally:
            await close_database(engine)

    asyncio.run(main(float(sys.argv[1]), datetime.fromisoformat(sys.argv[2])))
    """
)


async def test_two_scheduler_processes_produce_one_snapshot_per_period(db, manager):
    from park.reports import service
    from park.reports import snapshots

    # Tuesday 1 December 2026, 00:31 in the park: every snapshot cron has fired.
    now = local(2026, 12, 1, 0, 31).astimezone(timezone.utc)
    # The last daily snapshot was of 27 November: the 28th, 29th and 30th were missed.
    await snapshots.produce_snapshot("daily", "2026-11-27", now, SHANGHAI)
    start_at = time.time() + 2.0
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCHEDULER_PROCESS, str(start_at), now.isoformat()],
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        outputs.append(out.strip().splitlines()[-1].split(","))

    rows = await fetch("SELECT kind, period FROM report_snapshot ORDER BY kind, period")
    periods = [(row["kind"], row["period"]) for row in rows]
    assert periods == [
        ("daily", "2026-11-27"),
        ("daily", "2026-11-28"),
        ("daily", "2026-11-29"),
        ("daily", "2026-11-30"),
        ("monthly", "2026-11"),
        ("weekly", "2026-W48"),
    ]
    # Each slot ran in exactly one process; the other found it taken (or busy).
    for index in range(3):
        assert sorted(output[index] for output in outputs) in (["busy", "done"], ["done", "taken"])
    claims = await fetch("SELECT job, COUNT(*) AS n FROM scheduled_run GROUP BY job")
    assert {row["job"]: row["n"] for row in claims} == {
        "daily_snapshot": 1, "weekly_snapshot": 1, "monthly_snapshot": 1,
    }
    mails = await fetch("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'report.snapshot'")
    assert mails[0]["n"] == 6  # one manager, six snapshots, one mail each


async def test_start_up_catch_up_makes_missed_snapshots_and_is_harmless_twice(db, manager, settings):
    now = local(2026, 12, 1, 8, 0).astimezone(timezone.utc)
    first = await jobs.catch_up(settings, fixed(now))
    assert first == {"daily_snapshot": "done", "weekly_snapshot": "done", "monthly_snapshot": "done",
                     "monthly_statements": "done"}
    again = await jobs.catch_up(settings, fixed(now + timedelta(minutes=1)))
    assert set(again.values()) == {"done"}
    rows = await fetch("SELECT kind, period FROM report_snapshot ORDER BY kind")
    assert [(row["kind"], row["period"]) for row in rows] == [
        ("daily", "2026-11-30"), ("monthly", "2026-11"), ("weekly", "2026-W48"),
    ]


async def test_the_embedded_runner_starts_in_the_running_loop_and_stops(db, settings):
    runner = jobs.Runner(settings)
    runner.start()
    try:
        assert runner.scheduler is not None and runner.scheduler.running
        assert len(runner.scheduler.get_jobs()) == len(SCHEDULE)
    finally:
        await runner.stop()
    assert not runner.scheduler.running


async def test_the_app_runs_the_scheduler_inside_park_serve_only_when_embedded(db, settings, manager):
    from park.app import create_app

    async def snapshots_after_start(embedded: bool) -> int:
        app = create_app(settings.replace(scheduler_embedded=embedded))
        async with app.lifespan():
            for _ in range(600 if embedded else 6):
                rows = await fetch("SELECT COUNT(*) AS n FROM report_snapshot")
                if rows[0]["n"] >= 3:
                    break
                await asyncio.sleep(0.05)
        return rows[0]["n"]

    assert await snapshots_after_start(False) == 0
    # On start, the embedded scheduler catches up: the latest day, week and month.
    assert await snapshots_after_start(True) == 3


async def test_park_scheduler_runs_the_jobs_alone_and_stops_on_sigterm(db, manager):
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "park.cli", "scheduler"], env=os.environ.copy(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        count = 0
        for _ in range(600):  # a loaded machine may take a while to start Python
            rows = await fetch("SELECT COUNT(*) AS n FROM report_snapshot")
            count = rows[0]["n"]
            if count >= 3 or process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert count == 3, process.stderr.read() if process.poll() is not None else "no catch-up"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err[-2000:]
    assert "Scheduler running" in out


async def test_old_run_claims_are_pruned_and_recent_ones_kept(db, settings):
    job = ScheduledJob("counting", counting_job, "test job")
    now = local(2026, 12, 31, 3, 40)
    for days_ago in (45, 31, 29, 1):
        slot = now - timedelta(days=days_ago)
        assert await jobs.run_job(job, slot, settings, fixed(slot)) == "done"
    assert await prune_scheduled_runs(now, settings) == 2
    rows = await fetch("SELECT slot FROM scheduled_run ORDER BY slot")
    assert len(rows) == 2


async def test_a_slot_that_finds_the_database_unreachable_runs_once_it_is_back(monkeypatch, settings):
    attempts: list[datetime] = []
    now = [local(2026, 11, 26, 9, 3, 0, 200_000)]

    async def unreachable_twice(job, slot, settings, clock):
        attempts.append(slot)
        if len(attempts) <= 2:
            raise ConnectionRefusedError("the primary is gone")
        return "done"

    async def pause(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    monkeypatch.setattr(jobs, "run_job", unreachable_twice)
    trigger = CronTrigger.from_crontab("* * * * *", timezone=SHANGHAI)
    job = ScheduledJob("send_outbox", counting_job, "")
    outcome = await jobs.run_scheduled(job, trigger, timedelta(minutes=7), settings, clock=lambda: now[0], pause=pause)
    assert outcome == "done"
    assert attempts == [local(2026, 11, 26, 9, 3)] * 3  # the same slot each time, so its claim keeps it once


async def test_a_slot_gives_up_in_time_for_the_next_one(monkeypatch, settings):
    now = [local(2026, 11, 26, 9, 3, 0, 200_000)]

    async def unreachable(job, slot, settings, clock):
        raise ConnectionRefusedError("the primary is gone")

    async def pause(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    monkeypatch.setattr(jobs, "run_job", unreachable)
    trigger = CronTrigger.from_crontab("* * * * *", timezone=SHANGHAI)
    job = ScheduledJob("send_outbox", counting_job, "")
    with pytest.raises(ConnectionRefusedError):
        await jobs.run_scheduled(job, trigger, timedelta(minutes=7), settings, clock=lambda: now[0], pause=pause)
    assert now[0] < local(2026, 11, 26, 9, 4)
