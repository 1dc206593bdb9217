"""Catalogue reads: buildings, facilities, blackouts, authorisations; rows ↔ model values."""

from __future__ import annotations

import json
from typing import Any

from park.facilities.hours import parse_hours
from park.facilities.model import Authorization as AuthorizationValue
from park.facilities.model import Blackout as BlackoutValue
from park.facilities.model import FacilitySpec
from park.facilities.tables import Authorization, Blackout, Building, Facility, TrainingRequest
from park.shared.db import fetch, fetch_one
from park.shared.dialect import matches
from park.shared.locking import for_update
from park.shared.timespan import Span
from park.shared.listing import filtered_page


MAX_ID = 2**31 - 1  # serial columns: a larger id cannot exist (and would overflow PostgreSQL's int)


def _plausible(record_id: int) -> bool:
    return isinstance(record_id, int) and 0 < record_id <= MAX_ID


def _json(value: Any) -> Any:
    # JSON columns come back as text unless the query asked for load_json.
    return json.loads(value) if isinstance(value, str) else value


def to_spec(row: dict[str, Any]) -> FacilitySpec:
    return FacilitySpec(
        id=row["id"],
        kind=row["kind"],
        building_id=row["building"],
        capacity=row["capacity"],
        booking_mode=row["booking_mode"],
        requires_approval=row["requires_approval"],
        requires_authorization=row["requires_authorization"],
        opening_hours=parse_hours(_json(row["opening_hours"])),
        slot_minutes=row["slot_minutes"],
        min_duration_minutes=row["min_duration_minutes"],
        max_duration_minutes=row["max_duration_minutes"],
        max_advance_days=row["max_advance_days"],
        buffer_minutes=row["buffer_minutes"],
        cancel_cutoff_minutes=row["cancel_cutoff_minutes"],
        hourly_rate_fen=row["hourly_rate_fen"],
    )


async def list_buildings() -> list[dict[str, Any]]:
    return await Building.select().order_by(Building.code)


async def get_building(building_id: int) -> dict[str, Any] | None:
    if not _plausible(building_id):
        return None
    return await Building.select().where(Building.id == building_id).first()


async def list_facilities(
    *,
    building_id: int | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows, _total = await search_facilities(
        building_id=building_id, kind=kind, q=q, include_inactive=include_inactive, limit=limit, offset=offset
    )
    return rows


async def search_facilities(
    *,
    building_id: int | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Facilities matching the filters (q: words in the name, English name, platform or description)."""
    if building_id is not None and not _plausible(building_id):
        return [], 0
    conditions = []
    if not include_inactive:
        conditions.append(Facility.is_active == True)  # noqa: E712
    if building_id is not None:
        conditions.append(Facility.building == building_id)
    if kind:
        conditions.append(Facility.kind == kind)
    for word in (q or "").split():
        pattern = f"%{word}%"
        conditions.append(
            matches(Facility.name, pattern)
            | matches(Facility.name_en, pattern)
            | matches(Facility.platform, pattern)
            | matches(Facility.platform_en, pattern)
            | matches(Facility.description, pattern)
        )
    query = Facility.select(
        *Facility.all_columns(),
        Facility.building.name.as_alias("building_name"),
        Facility.building.name_en.as_alias("building_name_en"),
    )
    query = query.order_by(Facility.building).order_by(Facility.name).output(load_json=True)
    if limit is None and not offset:
        # Every matching row is read (the search, the timeline): their number is the total, no COUNT.
        for condition in conditions:
            query = query.where(condition)
        rows = await query
        return rows, len(rows)
    return await filtered_page(query, Facility.count(), conditions, limit, offset)


def facility_row_sql(columns: str = "", lock: str = "") -> str:
    """The one facility `$1` with its building's names and addresses (aliases `fac`, `bld`), `columns`
    added to the select list (they may refer to `fac`); `lock`, a `for_update("fac")` clause."""
    return (
        "SELECT fac.*, bld.name AS building_name, bld.name_en AS building_name_en, bld.address AS building_address, "
        f"bld.address_en AS building_address_en{', ' + columns if columns else ''} "
        f"FROM facility fac JOIN building bld ON bld.id = fac.building WHERE fac.id = $1{lock}"
    )


def facility_row(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row of `facility_row_sql` as the callers use it: its opening hours decoded."""
    if row is not None:
        row["opening_hours"] = _json(row["opening_hours"])
    return row


async def get_facility(facility_id: int) -> dict[str, Any] | None:
    """The facility with its building's names and addresses (hand-written: it is on every read of free time)."""
    if not _plausible(facility_id):
        return None
    return facility_row(await fetch_one(facility_row_sql(), facility_id))


async def lock_facility_for_booking(facility_id: int) -> dict[str, Any] | None:
    """The facility row, locked for the rest of the transaction (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the write lock). One round trip on the booking path."""
    if not _plausible(facility_id):
        return None
    return facility_row(await fetch_one(facility_row_sql(lock=for_update("fac")), facility_id))


def blackout_value(row: dict[str, Any]) -> BlackoutValue:
    return BlackoutValue(
        span=Span(row["starts_at"], row["ends_at"]),
        facility_id=row["facility"],
        building_id=row["building"],
        reason=row["reason"],
        id=row["id"],
    )


async def blackouts_for(spec: FacilitySpec, window: Span) -> list[BlackoutValue]:
    """Blackouts of the facility or of its building that overlap `window` (on the booking path)."""
    rows = await fetch(
        "SELECT id, facility, building, starts_at, ends_at, reason FROM blackout "
        "WHERE (facility = $1 OR building = $2) AND starts_at < $3 AND ends_at > $4",
        spec.id, spec.building_id, window.ends_at, window.starts_at,
    )
    return [blackout_value(row) for row in rows]


async def list_blackouts(facility_id: int | None = None, building_id: int | None = None) -> list[dict[str, Any]]:
    query = Blackout.select()
    if facility_id is not None:
        row = await get_facility(facility_id)
        building = row["building"] if row else -1
        query = query.where((Blackout.facility == facility_id) | (Blackout.building == building))
    elif building_id is not None:
        query = query.where(Blackout.building == building_id)
    return await query.order_by(Blackout.starts_at)


async def get_blackout(blackout_id: int) -> dict[str, Any] | None:
    if not _plausible(blackout_id):
        return None
    return await Blackout.select().where(Blackout.id == blackout_id).first()


async def authorization_for(user_id: int, facility_id: int) -> AuthorizationValue | None:
    row = await Authorization.select().where(
        (Authorization.user == user_id) & (Authorization.facility == facility_id)
    ).first()
    if row is None:
        return None
    return AuthorizationValue(user_id=user_id, facility_id=facility_id, valid_until=row["valid_until"])


async def list_authorizations(facility_id: int) -> list[dict[str, Any]]:
    return await Authorization.select(
        *Authorization.all_columns(), Authorization.user.name.as_alias("user_name"), Authorization.user.email.as_alias("user_email")
    ).where(Authorization.facility == facility_id).order_by(Authorization.id)


async def open_training_request(user_id: int, facility_id: int) -> dict[str, Any] | None:
    """The user's open request to be trained for the facility, if any."""
    return await TrainingRequest.select().where(
        (TrainingRequest.user == user_id) & (TrainingRequest.facility == facility_id) & TrainingRequest.closed_at.is_null()
    ).first()


async def list_training_requests(facility_id: int) -> list[dict[str, Any]]:
    """Open requests for training on the facility, oldest first, with who asked."""
    return await TrainingRequest.select(
        *TrainingRequest.all_columns(), TrainingRequest.user.name.as_alias("user_name"),
        TrainingRequest.user.email.as_alias("user_email"), TrainingRequest.user.tenant.name.as_alias("tenant_name"),
        TrainingRequest.user.tenant.name_en.as_alias("tenant_name_en"),
    ).where((TrainingRequest.facility == facility_id) & TrainingRequest.closed_at.is_null()).order_by(TrainingRequest.requested_at)


async def blackouts_of(specs: list[FacilitySpec], window: Span) -> list[BlackoutValue]:
    """Blackouts of any of the facilities or of their buildings that overlap `window` (one query)."""
    if not specs:
        return []
    facility_ids = sorted({spec.id for spec in specs})
    building_ids = sorted({spec.building_id for spec in specs})
    facility_marks = ", ".join(f"${n}" for n in range(3, 3 + len(facility_ids)))
    start = 3 + len(facility_ids)
    building_marks = ", ".join(f"${n}" for n in range(start, start + len(building_ids)))
    rows = await fetch(
        "SELECT id, facility, building, starts_at, ends_at, reason FROM blackout "
        f"WHERE starts_at < $1 AND ends_at > $2 AND (facility IN ({facility_marks}) OR building IN ({building_marks}))",
        window.ends_at, window.starts_at, *facility_ids, *building_ids,
    )
    return [blackout_value(row) for row in rows]


async def authorizations_of(user_id: int) -> dict[int, AuthorizationValue]:
    """The user's training records: facility id → authorisation (one query)."""
    rows = await Authorization.select(Authorization.facility, Authorization.valid_until).where(Authorization.user == user_id)
    return {
        row["facility"]: AuthorizationValue(user_id=user_id, facility_id=row["facility"], valid_until=row["valid_until"])
        for row in rows
    }
