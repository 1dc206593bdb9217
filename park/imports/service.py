"""Moving a park in: tenants, units, facilities and leases from a spreadsheet, all or nothing.

Every row is written by the use case that owns its record (create or update a tenant, a
facility, a unit, a lease), so an import obeys exactly the rules the pages and the API do.
The whole file runs in one transaction, each row under a savepoint so that one refused row
does not hide the next one's problem; a dry run, or any refused row, rolls everything back.
A row whose record exists (a firm by USCC, a unit by building and code, a facility by code,
a lease by unit, firm and dates) updates it, or changes nothing when it already says the same:
importing a file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from park.allocation import units as allocation
from park.allocation.tables import Lease, Unit
from park.audit.service import record
from park.bookings import closures
from park.facilities import service as facilities
from park.facilities.tables import Building, Facility
from park.imports.columns import KINDS, ParsedRow, RowError, header_map, parse_rows
from park.imports.files import FileError, read_table
from park.shared import i18n
from park.shared.actor import Actor
from park.shared.db import current_engine, transaction
from park.shared.errors import DomainError, FieldError, NotFound, ValidationFailed
from park.shared.guards import require_manager
from park.shared.labels import N_
from park.tenants import service as tenants
from park.tenants.model import Qualification, TenantFields
from park.tenants.rules import normalise_uscc
from park.tenants.tables import Tenant

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# A service names the fields of its own input; the file names its columns.
FIELD_TO_COLUMN = {"building_id": "building", "unit_id": "unit", "tenant_id": "tenant",
                   "qualification_records": "qualifications"}
KEY_COLUMN = {"tenants": "uscc", "units": "code", "facilities": "code", "leases": "unit"}


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Each data row: its number, its values and what it did (created, updated, unchanged)."""
    errors: list[RowError] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row["action"] == CREATED)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row["action"] == UPDATED)


class ImportRefused(DomainError):
    """A file with problems: nothing was written. `errors` say row, column and what to change."""

    code = "validation"
    status = 422
    title = N_("Invalid input")

    def __init__(self, result: ImportResult, lang: str) -> None:
        super().__init__(N_("Nothing was imported: correct the rows named in errors and send the file again."))
        self.result = result
        self.extra = {"errors": error_list(result.errors, lang)}
        self.errors = [FieldError(f"row {e.row}: {e.field}", e.message, e.params) for e in result.errors]


def error_list(errors: list[RowError], lang: str) -> list[dict[str, Any]]:
    return [{"row": e.row, "field": e.field, "message": i18n.translate(lang, e.message, **e.params)}
            for e in errors]


class _RowProblem(Exception):
    """A row the import itself refuses (an unknown building, unit or firm), with its words' parameters."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.error = RowError(0, field, message, params)


class _Rollback(Exception):
    """Leaves the import's transaction without committing (a dry run, or refused rows)."""


def column_labels() -> dict[str, set[str]]:
    """Every name a heading may use for a column: its English label and its translations."""
    from park.imports.columns import COLUMNS

    names: dict[str, set[str]] = {}
    for columns in COLUMNS.values():
        for column in columns:
            names.setdefault(column.key, set()).update(
                {i18n.translate(lang, column.label) for lang in i18n.LOCALES})
    return names


async def run_import(actor: Actor, kind: str, filename: str, content: bytes, *, dry_run: bool,
                     now: datetime, today: date, lang: str) -> ImportResult:
    """Read, check and (unless `dry_run`) write the file's rows; ImportRefused names every problem."""
    require_manager(actor)
    if kind not in KINDS:
        raise NotFound("There is no such import; use tenants, units, facilities or leases.")
    try:
        headers, cells = read_table(filename, content)
    except FileError as error:
        raise ValidationFailed.on("file", i18n.translate(lang, error.message, **error.params)) from None
    columns, errors = header_map(kind, headers, column_labels())
    result = ImportResult(kind, dry_run)
    if errors:
        result.errors = errors
        raise ImportRefused(result, lang)
    parsed, errors = parse_rows(kind, columns, cells)
    result.errors = errors
    if not parsed and not errors:
        raise ValidationFailed.on("file", i18n.translate(lang, N_("The file has headings but no rows.")))
    try:
        async with transaction():
            for row in parsed:
                await _write_row(actor, kind, row, result, now, today)
            if not result.errors and not dry_run:
                await record(actor, f"import.{kind}", "import", kind,
                             {"file": filename[:200], "created": result.created, "updated": result.updated}, at=now)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.errors.sort(key=lambda e: e.row)
    if result.errors and not dry_run:
        raise ImportRefused(result, lang)
    return result


async def _write_row(actor: Actor, kind: str, row: ParsedRow, result: ImportResult, now: datetime,
                     today: date) -> None:
    if any(error.row == row.row for error in result.errors):
        result.rows.append({"row": row.row, "values": row.values, "action": ""})
        return  # unreadable cells: not written, already reported
    savepoint = await current_engine().current_transaction.get().savepoint()
    try:
        action = await WRITERS[kind](actor, row.values, now, today)
        await savepoint.release()
    except DomainError as error:
        await savepoint.rollback_to()
        result.errors.extend(_row_errors(kind, row.row, error))
        action = ""
    except _RowProblem as problem:
        await savepoint.rollback_to()
        result.errors.append(RowError(row.row, problem.error.field, problem.error.message, problem.error.params))
        action = ""
    result.rows.append({"row": row.row, "values": row.values, "action": action})


def _row_errors(kind: str, number: int, error: DomainError) -> list[RowError]:
    problems = getattr(error, "errors", None) or [FieldError(KEY_COLUMN[kind], error.template, error.params)]
    return [RowError(number, FIELD_TO_COLUMN.get(p.field, p.field), p.message, dict(p.params)) for p in problems]


# --- one writer per kind: find the record by its key, then create, update or leave it -------

def _tenant_fields(values: dict[str, Any], current: dict[str, Any] | None) -> TenantFields:
    qualifications = None
    if "qualifications" in values:
        kept = {q["kind"]: q for q in (current or {}).get("qualification_records", [])}
        qualifications = [
            Qualification(kind, kept.get(kind, {}).get("certificate_no", "") or "",
                          _as_date(kept.get(kind, {}).get("valid_until")))
            for kind in values["qualifications"]
        ]
    return TenantFields(
        name=values.get("name"), name_en=values.get("name_en"), uscc=values.get("uscc"),
        sector=values.get("sector"), qualifications=qualifications, staff_count=values.get("staff_count"),
        rd_staff_count=values.get("rd_staff_count"), ip_count=values.get("ip_count"),
        contact_email=values.get("contact_email"),
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _same(current: dict[str, Any], values: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(current.get(key) == values[key] for key in keys if key in values)


async def _write_tenant(actor: Actor, values: dict[str, Any], now: datetime, today: date) -> str:
    uscc = normalise_uscc(values["uscc"])
    values = values | {"uscc": uscc}
    found = await Tenant.select(Tenant.id).where(Tenant.uscc == uscc).first()
    if found is None:
        await tenants.create_tenant(actor, _tenant_fields(values, None), now, today)
        return CREATED
    current = await tenants.get_tenant(actor, found["id"], today)
    held = sorted(q["kind"] for q in current.get("qualification_records", []))
    plain = ("name", "name_en", "sector", "staff_count", "rd_staff_count", "ip_count", "contact_email")
    if _same(current, values, plain) and ("qualifications" not in values or sorted(values["qualifications"]) == held):
        return UNCHANGED
    changes = {key: value for key, value in values.items() if key != "uscc"}
    await tenants.update_tenant(actor, found["id"], _tenant_fields(changes, current), now, today)
    return UPDATED


async def _building_id(code: str) -> int:
    found = await Building.select(Building.id).where(Building.code == code).first()
    if found is None:
        raise _RowProblem("building", N_("There is no building with the code %(code)s."), code=code)
    return found["id"]


async def _write_unit(actor: Actor, values: dict[str, Any], now: datetime, today: date) -> str:
    building_id = await _building_id(values["building"])
    data = allocation.UnitInput(
        building_id=building_id, floor=values["floor"], code=values["code"], kind=values["kind"],
        area_m2=values["area_m2"], monthly_rent_fen=values.get("monthly_rent_fen", 0),
    )
    found = await Unit.select().where((Unit.building == building_id) & (Unit.code == values["code"])).first()
    if found is None:
        await allocation.create_unit(actor, data, now)
        return CREATED
    if _same(found, values, ("floor", "kind", "area_m2", "monthly_rent_fen")):
        return UNCHANGED
    await allocation.update_unit(actor, found["id"], data, now)
    return UPDATED


FACILITY_FIELDS = ("name", "name_en", "kind", "capacity", "platform", "platform_en", "booking_mode", "requires_approval",
                   "requires_authorization", "hourly_rate_fen", "description")


async def _write_facility(actor: Actor, values: dict[str, Any], now: datetime, today: date) -> str:
    from park.settings import load_settings

    building_id = await _building_id(values["building"])
    data = {key: values[key] for key in FACILITY_FIELDS if key in values} | {"code": values["code"]}
    found = await Facility.select().where(Facility.code == values["code"]).first()
    if found is None:
        await facilities.create_facility(actor, data | {"building_id": building_id}, now)
        return CREATED
    if found["building"] == building_id and _same(found, values, FACILITY_FIELDS):
        return UNCHANGED
    await closures.update_facility(actor, found["id"], data | {"building_id": building_id}, now,
                                   load_settings().zone)
    return UPDATED


async def _write_lease(actor: Actor, values: dict[str, Any], now: datetime, today: date) -> str:
    units = await Unit.select(Unit.id).where(Unit.code == values["unit"])
    if not units:
        raise _RowProblem("unit", N_("There is no unit with the code %(code)s."), code=values["unit"])
    if len(units) > 1:
        raise _RowProblem("unit", N_("Several buildings have a unit %(code)s; add this lease on the unit's page."),
                          code=values["unit"])
    firm = await Tenant.select(Tenant.id).where(Tenant.uscc == normalise_uscc(values["tenant"])).first()
    if firm is None:
        raise _RowProblem("tenant", N_("No firm in Park has this USCC; import the tenants first."))
    unit_id, tenant_id = units[0]["id"], firm["id"]
    if await Lease.exists().where(
        (Lease.unit == unit_id) & (Lease.tenant == tenant_id) & (Lease.starts_on == values["starts_on"])
        & (Lease.ends_on == values["ends_on"])
    ):
        return UNCHANGED
    await allocation.create_lease(actor, allocation.LeaseInput(unit_id, tenant_id, values["starts_on"], values["ends_on"]), now)
    return CREATED


WRITERS = {"tenants": _write_tenant, "units": _write_unit, "facilities": _write_facility, "leases": _write_lease}
