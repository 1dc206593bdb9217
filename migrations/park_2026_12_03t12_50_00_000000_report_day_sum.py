"""Per-day report sums and the change log that keeps them true (park/reports/day_sums.py).

Raw SQL per dialect because triggers and trigger functions differ between SQLite and
PostgreSQL, and Piccolo has no notion of either. Every insert, delete and relevant update
of a booking (and a change of a facility's kind, which tenant sums are split by) writes the
times it touched to `report_change`; a job folds those into `report_day_sum` by recomputing
the touched days from the raw bookings. Bookings that exist when this runs are logged as
changes, so the first fold builds the sums of every day.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T12:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_day_sum and report_change: per-day report sums kept by triggers"

SUM_DDL = (
    "CREATE TABLE IF NOT EXISTS report_day_sum ("
    "day BIGINT NOT NULL, "  # Unix seconds of the local day's start in the park's zone
    "measure VARCHAR(10) NOT NULL, "  # facility, tenant, step or status
    "key VARCHAR(40) NOT NULL, "
    "kind VARCHAR(40) NOT NULL DEFAULT '', "
    "value DOUBLE PRECISION NOT NULL, "
    "PRIMARY KEY (day, measure, key, kind))"
)

SQLITE_DDL = (
    SUM_DDL,
    "CREATE TABLE IF NOT EXISTS report_change ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS booking_report_insert AFTER INSERT ON booking BEGIN "
    "INSERT INTO report_change (starts_at, ends_at) VALUES (NEW.starts_at, NEW.ends_at); END",
    "CREATE TRIGGER IF NOT EXISTS booking_report_delete AFTER DELETE ON booking BEGIN "
    "INSERT INTO report_change (starts_at, ends_at) VALUES (OLD.starts_at, OLD.ends_at); END",
    "CREATE TRIGGER IF NOT EXISTS booking_report_update "
    "AFTER UPDATE OF facility, tenant, starts_at, ends_at, seats, status ON booking BEGIN "
    "INSERT INTO report_change (starts_at, ends_at) VALUES (OLD.starts_at, OLD.ends_at); "
    "INSERT INTO report_change (starts_at, ends_at) SELECT NEW.starts_at, NEW.ends_at "
    "WHERE NEW.starts_at IS NOT OLD.starts_at OR NEW.ends_at IS NOT OLD.ends_at; END",
    "CREATE TRIGGER IF NOT EXISTS facility_report_kind AFTER UPDATE OF kind ON facility "
    "WHEN NEW.kind IS NOT OLD.kind BEGIN "
    "INSERT INTO report_change (starts_at, ends_at) "
    "SELECT starts_at, ends_at FROM booking WHERE facility = NEW.id; END",
)

POSTGRES_DDL = (
    SUM_DDL,
    "CREATE TABLE IF NOT EXISTS report_change ("
    "id BIGSERIAL PRIMARY KEY, starts_at TIMESTAMPTZ NOT NULL, ends_at TIMESTAMPTZ NOT NULL)",
    "CREATE OR REPLACE FUNCTION report_booking_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    "INSERT INTO report_change (starts_at, ends_at) VALUES (OLD.starts_at, OLD.ends_at); END IF; "
    "IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.starts_at IS DISTINCT FROM OLD.starts_at "
    "OR NEW.ends_at IS DISTINCT FROM OLD.ends_at)) THEN "
    "INSERT INTO report_change (starts_at, ends_at) VALUES (NEW.starts_at, NEW.ends_at); END IF; "
    "RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS booking_report_change ON booking",
    "CREATE TRIGGER booking_report_change "
    "AFTER INSERT OR DELETE OR UPDATE OF facility, tenant, starts_at, ends_at, seats, status ON booking "
    "FOR EACH ROW EXECUTE FUNCTION report_booking_changed()",
    "CREATE OR REPLACE FUNCTION report_facility_kind_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF NEW.kind IS DISTINCT FROM OLD.kind THEN "
    "INSERT INTO report_change (starts_at, ends_at) "
    "SELECT starts_at, ends_at FROM booking WHERE facility = NEW.id; END IF; "
    "RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS facility_report_kind ON facility",
    "CREATE TRIGGER facility_report_kind AFTER UPDATE OF kind ON facility "
    "FOR EACH ROW EXECUTE FUNCTION report_facility_kind_changed()",
)

# The bookings already there are changes the sums have not seen yet.
BACKFILL = "INSERT INTO report_change (starts_at, ends_at) SELECT starts_at, ends_at FROM booking"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_sums():
        from park.shared.db import current_engine, is_sqlite

        engine = current_engine()
        for statement in SQLITE_DDL if is_sqlite() else POSTGRES_DDL:
            await engine.run_ddl(statement)
        await engine.run_ddl(BACKFILL)

    manager.add_raw(create_sums)
    return manager
