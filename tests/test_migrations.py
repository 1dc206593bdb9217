"""The schema comes from migrations only, and upgrading is idempotent."""

import os
import subprocess
import sys
from pathlib import Path

from park.shared.db import fetch
from park.shared.migrate import table_names as _table_names, upgrade_database


async def test_upgrading_twice_changes_nothing_the_second_time(db):
    before = await _table_names()
    applied_before = await fetch("SELECT COUNT(*) AS n FROM migration")
    await upgrade_database()
    await upgrade_database()
    assert await _table_names() == before
    assert await fetch("SELECT COUNT(*) AS n FROM migration") == applied_before


async def test_every_table_of_the_app_exists_after_upgrade(db):
    from piccolo.conf.apps import Finder

    expected = {table._meta.tablename for table in Finder().get_table_classes()}
    assert expected <= await _table_names()


async def test_an_upgrade_of_an_up_to_date_database_says_so(db):
    upgrade = await upgrade_database()
    assert upgrade.applied == [] and upgrade.created_tables == []
    assert upgrade.summary().startswith("The database is up to date")


def test_park_db_upgrade_on_an_empty_database_says_what_it_created_then_that_it_is_up_to_date(tmp_path):
    root = Path(__file__).resolve().parent.parent
    environment = os.environ | {"PARK_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
                                "PYTHONPATH": str(root)}

    def upgrade() -> str:
        result = subprocess.run([sys.executable, "-m", "park.cli", "db", "upgrade"], env=environment,
                                capture_output=True, text=True, timeout=120, cwd=root)
        assert result.returncode == 0, result.stderr
        return result.stdout

    first = upgrade()
    assert "Applied " in first and "migrations" in first
    assert "Created " in first and "booking" in first and "facility" in first
    assert "The database was empty" in first
    assert upgrade().startswith("The database is up to date:")
