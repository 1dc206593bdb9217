"""Two real scheduler processes on the 1st issue each firm's statement once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.shared.db import fetch
from tests import builders
from tests.builders import create_facility

SHANGHAI = ZoneInfo("Asia/Shanghai")

SCHEDULER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys, time
    from datetime import datetime, timedelta
    from apscheduler.triggers.cron import CronTrigger
    from park import jobs
    from park.scheduling import SCHEDULE, load_timetable
    from park.settings import load_settings
    from park.shared.db import close_database, open_database

    async def main(start_at, now):
        settings = load_settings()
        engine = await open_database(settings)
        timetable = load_timetable()
        try:
            time.sleep(max(0.0, start_at - time.time()))
            [job] = [job for job in SCHEDULE if job.name == "monthly_statements"]
            trigger = CronTrigger.from_crontab(timetable.crons[job.name], timezone=settings.zone)
            print(await jobs.run_scheduled(job, trigger, timedelta(minutes=10), settings, lambda: now))
        finally:
            await close_database(engine)

    asyncio.run(main(float(sys.argv[1]), datetime.fromisoformat(sys.argv[2])))
    """
)


async def test_two_scheduler_processes_issue_each_firms_statement_once(db):
    from park.bookings.tables import Booking

    firms = [await builders.create_tenant(), await builders.create_tenant()]
    user = await builders.create_user(tenant_id=firms[0]["id"])
    room = await create_facility(hourly_rate_fen=10000)
    start = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    await Booking(facility=room["id"], tenant=firms[0]["id"], user=user.id, starts_at=start,
                  ends_at=start + timedelta(hours=1), occupied_until=start + timedelta(hours=1),
                  status="completed", created_at=start).save()
    # Tuesday 1 December 2026, 00:46 in the park: the statements cron (00:45) has fired.
    now = datetime(2026, 12, 1, 0, 46, tzinfo=SHANGHAI).astimezone(timezone.utc)
    start_at = time.time() + 2.0
    processes = [
        subprocess.Popen([sys.executable, "-c", SCHEDULER_PROCESS, str(start_at), now.isoformat()],
                         env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        outcomes.append(out.strip().splitlines()[-1])
    assert sorted(outcomes) in (["busy", "done"], ["done", "taken"])
    rows = await fetch("SELECT tenant, month, amount_fen FROM statement ORDER BY tenant")
    assert [(row["month"], row["amount_fen"]) for row in rows][0] == ("2026-11", 10000)
    assert len(rows) == len(firms)
    lines = await fetch("SELECT COUNT(*) AS n FROM statement_line")
    assert lines[0]["n"] == 1
    claims = await fetch("SELECT COUNT(*) AS n FROM scheduled_run WHERE job = 'monthly_statements'")
    assert claims[0]["n"] == 1
