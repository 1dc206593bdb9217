"""The one Piccolo app, "park": every domain's tables, one migration history."""

import os
from types import ModuleType

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from park.accounts import tables as accounts_tables
from park.allocation import tables as allocation_tables
from park.audit import tables as audit_tables
from park.billing import tables as billing_tables
from park.bookings import tables as bookings_tables
from park.facilities import tables as facilities_tables
from park.notifications import tables as notifications_tables
from park.priority import tables as priority_tables
from park.reports import tables as reports_tables
from park.shared import tables as shared_tables
from park.settings import ROOT_DIR
from park.tenants import tables as tenants_tables

# Each domain keeps its tables in park/<domain>/tables.py.
TABLE_MODULES = [
    tenants_tables,
    accounts_tables,
    priority_tables,
    audit_tables,
    notifications_tables,
    facilities_tables,
    bookings_tables,
    allocation_tables,
    reports_tables,
    billing_tables,
    shared_tables,
]


def tables_of(module: ModuleType) -> list[type[Table]]:
    """The tables defined in `module` (not those it imports), by name as Piccolo's table_finder lists them."""
    found = (getattr(module, name) for name in sorted(dir(module)) if not name.startswith("_"))
    return [item for item in found
            if isinstance(item, type) and issubclass(item, Table) and item is not Table
            and item.__module__ == module.__name__]


APP_CONFIG = AppConfig(
    app_name="park",
    migrations_folder_path=os.path.join(ROOT_DIR, "migrations"),
    table_classes=[table for module in TABLE_MODULES for table in tables_of(module)],
    migration_dependencies=[],
    commands=[],
)
