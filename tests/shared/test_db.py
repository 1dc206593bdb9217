"""The fast SQL path gives the same rows as Piccolo on both databases, in and out of transactions."""

from datetime import datetime, timezone

from park.shared.db import fetch, fetch_one, transaction
from park.tenants.tables import Tenant
from tests.builders import create_tenant


async def test_fetch_returns_rows_as_dicts_with_numbered_placeholders(app):
    first = await create_tenant(staff_count=7)
    await create_tenant(staff_count=9)
    rows = await fetch("SELECT id, staff_count FROM tenant WHERE staff_count >= $1 AND staff_count <= $2 ORDER BY id", 7, 9)
    assert [row["staff_count"] for row in rows] == [7, 9]
    one = await fetch_one("SELECT id, name FROM tenant WHERE id = $1 AND id = $1", first["id"])
    assert one == {"id": first["id"], "name": first["name"]}
    assert await fetch_one("SELECT id FROM tenant WHERE id = $1", -1) is None


async def test_fetch_reads_timestamps_back_aware(app):
    tenant = await create_tenant()
    row = await fetch_one("SELECT created_at FROM tenant WHERE id = $1", tenant["id"])
    assert row["created_at"].tzinfo is not None


async def test_fetch_inside_a_transaction_sees_its_uncommitted_writes_and_rolls_back_with_it(app):
    tenant = await create_tenant(staff_count=1)
    try:
        async with transaction():
            await fetch("UPDATE tenant SET staff_count = $1 WHERE id = $2", 42, tenant["id"])
            inside = await fetch_one("SELECT staff_count FROM tenant WHERE id = $1", tenant["id"])
            assert inside["staff_count"] == 42
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    after = await Tenant.select(Tenant.staff_count).where(Tenant.id == tenant["id"]).first()
    assert after["staff_count"] == 1


async def test_fetch_passes_aware_datetimes_through(app):
    tenant = await create_tenant()
    moment = datetime(2026, 11, 24, 1, 2, 3, tzinfo=timezone.utc)
    await fetch("UPDATE tenant SET updated_at = $1 WHERE id = $2", moment, tenant["id"])
    row = await fetch_one("SELECT updated_at FROM tenant WHERE id = $1", tenant["id"])
    assert row["updated_at"] == moment


def test_a_process_that_used_the_database_exits_without_closing_it():
    """Idle pooled SQLite connections must never keep a finished command alive."""
    import os
    import subprocess
    import sys

    script = "import asyncio, park\nfrom park.shared.db import fetch\nasyncio.run(fetch('SELECT 1 AS one'))\nprint('done')"
    result = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"


async def test_fetch_before_any_pool_is_open_takes_a_repeated_placeholder(db):
    """A command's first statements run before a pool exists (PostgreSQL: a connection of their own)."""
    import os
    import subprocess
    import sys

    script = ("import asyncio, park\nfrom park.shared.db import fetch\n"
              "rows = asyncio.run(fetch('SELECT COUNT(*) AS n FROM tenant WHERE id = $1 OR id <> $1', 0))\n"
              "print(rows[0]['n'])")
    result = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


async def test_a_failed_transaction_leaves_no_open_transaction_on_a_reused_connection(app):
    tenant = await create_tenant(staff_count=3)
    for _ in range(3):
        try:
            async with transaction():
                await fetch("UPDATE tenant SET staff_count = staff_count + 1 WHERE id = $1", tenant["id"])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    row = await fetch_one("SELECT staff_count FROM tenant WHERE id = $1", tenant["id"])
    assert row["staff_count"] == 3
