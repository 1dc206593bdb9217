"""The one Piccolo app, "park": every domain's tables, one migration history."""

import os

from piccolo.conf.apps import AppConfig, table_finder

from park.settings import ROOT_DIR

# Each domain keeps its tables in park/<domain>/tables.py; a domain without one is skipped.
TABLE_MODULES = [
    "park.tenants.tables",
    "park.accounts.tables",
    "park.audit.tables",
    "park.notifications.tables",
    "park.facilities.tables",
    "park.bookings.tables",
    "park.allocation.tables",
    "park.reports.tables",
    "park.billing.tables",
    "park.shared.tables",
]


def _existing(modules: list[str]) -> list[str]:
    import importlib.util

    return [name for name in modules if importlib.util.find_spec(name) is not None]


APP_CONFIG = AppConfig(
    app_name="park",
    migrations_folder_path=os.path.join(ROOT_DIR, "migrations"),
    table_classes=table_finder(modules=_existing(TABLE_MODULES), exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
