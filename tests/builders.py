"""The test builders, one of each: `make_*` builds a value, `create_*` stores a row (and returns it as a dict).

Values first (pure: model dataclasses the rules work on), then stored rows, domain by domain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings.model import CONFIRMED, Booking, BookingRequest
from park.bookings.rules import BookingContext
from park.facilities.hours import parse_hours
from park.facilities.model import FacilitySpec

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")

# Monday 2026-11-30, 08:00 in Shanghai: "now" for most rule tests.
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)

ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
"""Opening hours of a facility open all day, every day."""

TEST_PASSWORD = "correct-horse-battery-staple"


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026, zone: ZoneInfo = SHANGHAI) -> datetime:
    """A park-local time, aware (2026-12-01 is a Tuesday)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    """An aware park-local time, year first."""
    return at(day, hour, minute, month=month, year=year, zone=zone)


# --- values ------------------------------------------------------------------------------


def make_facility(**overrides) -> FacilitySpec:
    values = dict(id=1, kind="meeting_room", building_id=1, capacity=1)
    if "opening_hours" in overrides and not hasattr(overrides["opening_hours"], "days"):
        overrides["opening_hours"] = parse_hours(overrides["opening_hours"])
    values.update(overrides)
    return FacilitySpec(**values)


@dataclass(frozen=True)
class Held:
    """Seats held over a time, as availability counts them."""

    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    status: str = "confirmed"


def make_held(starts_at: datetime, ends_at: datetime | None = None, **overrides) -> Held:
    """Seats held from `starts_at` (for an hour unless told otherwise)."""
    ends_at = ends_at or starts_at + timedelta(hours=1)
    return Held(starts_at.astimezone(timezone.utc), ends_at.astimezone(timezone.utc), **overrides)


_next_id = iter(range(1000, 10**9))


def make_booking(starts_at: datetime | None = None, ends_at: datetime | None = None, **overrides) -> Booking:
    """A booking value (never stored): confirmed, one seat, an hour from 1 December 09:00."""
    starts_at = starts_at or at(1, 9)
    ends_at = ends_at or starts_at + timedelta(hours=1)
    values = dict(
        id=next(_next_id), facility_id=1, tenant_id=1, user_id=1,
        starts_at=starts_at.astimezone(timezone.utc), ends_at=ends_at.astimezone(timezone.utc),
        seats=1, status=CONFIRMED,
    )
    values.update(overrides)
    return Booking(**values)


def make_request(starts_at: datetime | None = None, ends_at: datetime | None = None, **overrides) -> BookingRequest:
    starts_at = starts_at or at(1, 10)
    ends_at = ends_at or starts_at + timedelta(hours=1)
    values = dict(facility_id=1, tenant_id=1, user_id=1, starts_at=starts_at, ends_at=ends_at, seats=1)
    values.update(overrides)
    return BookingRequest(**values)


def make_context(request: BookingRequest | None = None, facility: FacilitySpec | None = None, **overrides) -> BookingContext:
    values = dict(
        request=request or make_request(),
        facility=facility or make_facility(),
        now=NOW,
        zone=SHANGHAI,
    )
    values.update(overrides)
    return BookingContext(**values)


def make_uscc(seed: int) -> str:
    """A valid unified social credit code, distinct per seed."""
    from park.tenants.rules import uscc_check_character

    body = f"91440300{seed:09d}"
    return body + uscc_check_character(body)


def application_body(**overrides: Any) -> dict[str, Any]:
    """The JSON of a space application."""
    return {
        "unit_kind": "office",
        "min_area_m2": 80,
        "max_area_m2": 200,
        "preferred_building_ids": [],
        "start_date": "2031-01-01",
        "term_months": 24,
        "justification": "We are growing our animation team.",
    } | overrides


# --- stored rows: tenants and accounts -----------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A stored user and the headers that authenticate as it."""

    id: int
    email: str
    role: str
    tenant_id: int | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_tenant(**overrides: Any) -> dict[str, Any]:
    from park.tenants.tables import Tenant

    seed = secrets.randbelow(10**9)
    values = {
        "name": f"测试企业{seed}",
        "name_en": f"Test Firm {seed}",
        "uscc": make_uscc(seed),
        "sector": "animation_games",
        "staff_count": 50,
        "rd_staff_count": 20,
        "ip_count": 5,
        "contact_email": f"office{seed}@firm.test",
    } | overrides
    tenant = Tenant(**values)
    await tenant.save()
    return tenant.to_dict()


async def qualify(tenant_id: int, *kinds: str, valid_until: date | None = None) -> None:
    """Record qualifications of a firm."""
    from park.tenants.tables import QualificationRecord

    for kind in kinds:
        await QualificationRecord(tenant=tenant_id, kind=kind, valid_until=valid_until).save()


async def create_user(role: str = "member", tenant_id: int | None = None, **overrides: Any) -> Login:
    """A stored user with the password TEST_PASSWORD and an API token."""
    from park.accounts.passwords import hash_password
    from park.accounts.service import issue_token
    from park.accounts.tables import User
    from park.settings import load_settings
    from park.shared.actor import Actor
    from park.shared.clock import utc_now

    email = overrides.pop("email", f"{role}{secrets.token_hex(4)}@firm.test")
    user = User(
        email=email,
        name=overrides.pop("name", f"Test {role}"),
        password_hash=hash_password(overrides.pop("password", TEST_PASSWORD)),
        role=role,
        tenant=tenant_id,
        calendar_token=secrets.token_urlsafe(24),
        **overrides,
    )
    await user.save()
    actor = Actor(id=user.id, email=email, name=user.name, role=role, tenant_id=tenant_id)
    token, _ = await issue_token(load_settings(), actor, utc_now())
    return Login(id=user.id, email=email, role=role, tenant_id=tenant_id, token=token)


# --- stored rows: facilities and bookings -------------------------------------------------


async def create_building(**overrides: Any) -> dict[str, Any]:
    """A stored building with a fresh code."""
    from park.facilities.tables import Building

    code = overrides.pop("code", f"T{secrets.randbelow(10**6):06d}")  # digits: never read as a word
    values = {"name": f"测试楼 {code}", "name_en": f"Test Building {code}", "code": code} | overrides
    building = Building(**values)
    await building.save()
    return building.to_dict()


async def create_facility(building_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    """A stored facility: a one-seat meeting room open Monday–Friday 09:00–18:00 unless told
    otherwise, in a new building unless one is given."""
    from park.facilities.tables import Facility

    if building_id is None:
        building_id = (await create_building())["id"]
    values = {
        "name": "会议室", "name_en": "Meeting room", "kind": "meeting_room", "building": building_id, "capacity": 1,
        "opening_hours": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    } | overrides
    facility = Facility(**values)
    await facility.save()
    return facility.to_dict()


async def create_booking(
    facility_id: int,
    tenant_id: int,
    user_id: int,
    starts_at: datetime,
    ends_at: datetime | None = None,
    seats: int = 1,
    status: str = "confirmed",
) -> dict[str, Any]:
    """A stored booking, written straight to its table (no rules): made three days before it starts."""
    from park.bookings.tables import Booking as BookingRow

    ends_at = ends_at or starts_at + timedelta(hours=1)
    booking = BookingRow(
        facility=facility_id,
        tenant=tenant_id,
        user=user_id,
        starts_at=starts_at.astimezone(timezone.utc),
        ends_at=ends_at.astimezone(timezone.utc),
        occupied_until=ends_at.astimezone(timezone.utc),
        seats=seats,
        status=status,
        created_at=starts_at.astimezone(timezone.utc) - timedelta(days=3),
    )
    await booking.save()
    return booking.to_dict()


# --- stored rows: space --------------------------------------------------------------------


async def create_unit(building_id: int, **overrides: Any) -> dict[str, Any]:
    """A stored unit: a 120 m² office on the third floor unless told otherwise."""
    from park.allocation.tables import Unit

    values = {
        "building": building_id,
        "floor": 3,
        "code": f"U-{secrets.randbelow(10**6):06d}",
        "kind": "office",
        "area_m2": 120.0,
        "monthly_rent_fen": 1_200_000,
    } | overrides
    unit = Unit(**values)
    await unit.save()
    return unit.to_dict()


async def create_lease(unit_id: int, tenant_id: int, starts_on: date, ends_on: date) -> dict[str, Any]:
    from park.allocation.tables import Lease

    lease = Lease(unit=unit_id, tenant=tenant_id, starts_on=starts_on, ends_on=ends_on)
    await lease.save()
    return lease.to_dict()
