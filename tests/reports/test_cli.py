"""`park report run`: one snapshot now, once."""

from __future__ import annotations

import os
import subprocess
import sys


def park(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "park.cli", *args], env=os.environ.copy(),
        capture_output=True, text=True, timeout=120,
    )


async def test_report_run_produces_a_snapshot_once(db):
    first = park("report", "run", "--kind", "weekly", "--period", "2026-W47")
    assert first.returncode == 0, first.stderr
    assert "Produced: weekly 2026-W47" in first.stdout
    assert "/reports/snapshots/" in first.stdout
    again = park("report", "run", "--kind", "weekly", "--period", "2026-W47")
    assert again.returncode == 0, again.stderr
    assert "Already produced: weekly 2026-W47" in again.stdout


async def test_report_run_refuses_a_period_written_for_another_kind(db):
    result = park("report", "run", "--kind", "monthly", "--period", "2026-W47")
    assert result.returncode == 1
    assert "2026-11" in result.stderr  # the message shows how to write a month
    unknown = park("report", "run", "--kind", "yearly", "--period", "2026")
    assert unknown.returncode == 2
