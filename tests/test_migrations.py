"""The schema comes from migrations only, and upgrading is idempotent."""

from park.shared.db import is_sqlite, fetch
from park.shared.migrate import upgrade_database


async def _table_names() -> set[str]:
    if is_sqlite():
        rows = await fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row["name"] for row in rows}
    rows = await fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    return {row["name"] for row in rows}


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
