"""Isolation in one test: every route of the assembled app, called by another firm's users against firm A's records.

The test introspects `app.routes`, so a route added later is walked too. For each
path parameter it needs a record of firm A of the right type: REGISTRY maps the
parameter's name to a factory. A route whose parameter has no entry FAILS this
test, telling the developer to add one.

What is checked, as the other firm's tenant_admin and as its member:

- a route taking the id of a record firm A owns (OWNED) answers 403 or 404 and
  changes nothing at all in the database;
- a route taking the id of a shared record (SHARED: a facility, a building) may
  answer, but its answer never shows firm A's data and it changes none of firm
  A's rows;
- every other API route (lists, creations) and every other page, called with
  firm A's ids in the query and in the body, never shows firm A's data and
  changes none of its rows.

Firm A's data is recognised by MARKER, written into every text field of its records.
"""

from __future__ import annotations

import pytest

import re
import secrets
import sys
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import httpx
import msgspec

from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import Login, create_tenant, create_user, make_uscc

MARKER = "zqxisolationmark"
"""Lower-case (emails are stored lower-cased) and unlikely anywhere else."""

SKIPPED_PREFIXES = ("/static", "/schema", "/healthz", "/live")  # /live/events streams and carries no firm data
SKIPPED_PAGES = ("/login", "/logout", "/lang")
HOUSEKEEPING_TABLES = {"web_session", "sign_in_counter", "scheduled_run", "migration"}
"""Tables a refused request may legitimately touch (a throttle counter, a session row)."""
PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass
class World:
    """Firm A's records and the shared catalogue, built once for the whole walk."""

    tenant_a: dict[str, Any]
    admin_a: Login
    member_a: Login
    tenant_b: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)
    a_user_ids: set[int] = field(default_factory=set)
    b_user_ids: set[int] = field(default_factory=set)


Factory = Callable[[World], Awaitable[Any]]


@dataclass(frozen=True)
class Entry:
    factory: Factory
    owned: bool
    """True: the record belongs to firm A (refuse with 403/404). False: shared catalogue (may be read)."""


def _at(days: int, hour: int) -> datetime:
    local = datetime.combine(date.today() + timedelta(days=days), time(hour), tzinfo=timezone(timedelta(hours=8)))
    return local.astimezone(timezone.utc)


# --- factories: one record of the right type, owned by firm A where it can be -------------------------------


async def _tenant(world: World) -> int:
    return world.tenant_a["id"]


async def _user(world: World) -> int:
    return world.member_a.id


async def _token(world: World) -> int:
    from park.accounts.tables import ApiToken

    row = await ApiToken.select(ApiToken.id).where(ApiToken.user == world.member_a.id).first()
    return row["id"]


async def _building(world: World) -> int:
    from park.facilities.tables import Building

    building = Building(name="公共楼", name_en="Shared Building", code=f"S{secrets.token_hex(3)}")
    await building.save()
    return building.id


async def _facility(world: World) -> int:
    from park.facilities.tables import Facility

    facility = Facility(name="公共实验室", name_en="Shared Lab", kind="lab", building=await world_id(world, "building_id"), capacity=4)
    await facility.save()
    return facility.id


async def _blackout(world: World) -> int:
    from park.facilities.tables import Blackout

    blackout = Blackout(facility=await world_id(world, "facility_id"), starts_at=_at(20, 9), ends_at=_at(20, 12), reason="maintenance")
    await blackout.save()
    return blackout.id


async def _authorization(world: World) -> int:
    from park.facilities.tables import Authorization

    grant = Authorization(facility=await world_id(world, "facility_id"), user=world.member_a.id, note=f"{MARKER} trained")
    await grant.save()
    return grant.id


async def _training_request(world: World) -> int:
    from park.facilities.tables import TrainingRequest

    asked = TrainingRequest(facility=await world_id(world, "facility_id"), user=world.member_a.id)
    await asked.save()
    return asked.id


async def _series(world: World) -> int:
    from park.bookings.tables import BookingSeries

    series = BookingSeries(
        facility=await world_id(world, "facility_id"), tenant=world.tenant_a["id"], user=world.member_a.id,
        rrule="FREQ=WEEKLY;COUNT=2", starts_at=_at(7, 10), ends_at=_at(7, 11), purpose=f"{MARKER} series",
        created_at=_at(0, 8),
    )
    await series.save()
    return series.id


async def _booking(world: World) -> int:
    from park.bookings.tables import Booking

    # Pending, in the check-in window's day and inside opening hours: every action on it would succeed for its owner.
    booking = Booking(
        facility=await world_id(world, "facility_id"), tenant=world.tenant_a["id"], user=world.member_a.id,
        series=await world_id(world, "series_id"), occurrence_index=0,
        starts_at=_at(7, 10), ends_at=_at(7, 11), occupied_until=_at(7, 11), seats=1,
        purpose=f"{MARKER} confidential pitch", status="pending", created_at=_at(0, 8),
    )
    await booking.save()
    return booking.id


async def _unit(world: World) -> int:
    from park.allocation.tables import Unit

    unit = Unit(building=await world_id(world, "building_id"), floor=3, code=f"U{secrets.token_hex(3)}", kind="office", area_m2=120.0)
    await unit.save()
    return unit.id


async def _lease(world: World) -> int:
    from park.allocation.tables import Lease

    lease = Lease(unit=await world_id(world, "unit_id"), tenant=world.tenant_a["id"], starts_on=date.today(), ends_on=date.today() + timedelta(days=365))
    await lease.save()
    return lease.id


async def _application(world: World) -> int:
    from park.allocation.tables import SpaceApplication

    application = SpaceApplication(
        tenant=world.tenant_a["id"], submitted_by=world.admin_a.id, unit_kind="office", min_area_m2=80.0, max_area_m2=200.0,
        preferred_building_ids=[], start_date=date.today() + timedelta(days=60), term_months=12,
        justification=f"{MARKER} expansion plans",
    )
    await application.save()
    return application.id


async def _round(world: World) -> int:
    from park.allocation.tables import AllocationRound, RoundAssignment

    allocation_round = AllocationRound(policy_version="test", application_count=1, unit_count=1)
    await allocation_round.save()
    await RoundAssignment(
        allocation_round=allocation_round.id, application=await world_id(world, "application_id"), tenant=world.tenant_a["id"],
        unit=await world_id(world, "unit_id"), rank=1, score=10, reason="housed",
        explanation=f"{MARKER} housed", explanation_zh=f"{MARKER} 已安置",
    ).save()
    return allocation_round.id


async def _snapshot(world: World) -> int:
    from park.reports.tables import ReportSnapshot

    snapshot = ReportSnapshot(
        kind="daily", period=(date.today() - timedelta(days=400)).isoformat(), starts_at=_at(-400, 0), ends_at=_at(-399, 0),
        generated_at=_at(-399, 1), data={"rows": [{"key": world.tenant_a["id"], "label": world.tenant_a["name"]}]},
    )
    await snapshot.save()
    return snapshot.id


async def _waitlist_entry(world: World) -> int:
    from park.bookings.tables import WaitlistEntry

    entry = WaitlistEntry(
        facility=await world_id(world, "facility_id"), tenant=world.tenant_a["id"], user=world.member_a.id,
        starts_at=_at(7, 10), ends_at=_at(7, 11), purpose=f"{MARKER} waiting",
    )
    await entry.save()
    return entry.id


async def _photo(world: World) -> int:
    from park.facilities.tables import FacilityPhoto

    photo = FacilityPhoto(facility=await world_id(world, "facility_id"), name=secrets.token_hex(16), width=1600, height=1200)
    await photo.save()
    return photo.id


async def _photo_file(world: World) -> str:
    # The park's photos are public, like its catalogue; no firm owns one.
    from park.facilities.tables import FacilityPhoto

    row = await FacilityPhoto.select(FacilityPhoto.name).where(FacilityPhoto.id == await world_id(world, "photo_id")).first()
    return f"{row['name']}-small.webp"


async def _user_calendar(world: World) -> str:
    # The user's id is not its secret: a feed asked for by id must not be served.
    return f"{world.member_a.id}.ics"


async def _link_token(world: World) -> str:
    # A mailed link serves whoever holds its token (no firm owns it); a user id in its place opens nothing.
    return str(world.member_a.id)


async def _import_kind(world: World) -> str:
    # What an import holds names no firm's record; the routes are the managers' alone.
    return "tenants"


async def _facility_calendar(world: World) -> str:
    return f"{await world_id(world, 'facility_id')}.ics"


REGISTRY: dict[str, Entry] = {
    "tenant_id": Entry(_tenant, owned=True),
    "user_id": Entry(_user, owned=True),
    "token_id": Entry(_token, owned=True),
    "booking_id": Entry(_booking, owned=True),
    "series_id": Entry(_series, owned=True),
    "authorization_id": Entry(_authorization, owned=True),
    "application_id": Entry(_application, owned=True),
    "round_id": Entry(_round, owned=True),
    "lease_id": Entry(_lease, owned=True),
    "snapshot_id": Entry(_snapshot, owned=True),
    "facility_id": Entry(_facility, owned=False),
    "building_id": Entry(_building, owned=False),
    "blackout_id": Entry(_blackout, owned=False),
    "unit_id": Entry(_unit, owned=False),
    "photo_id": Entry(_photo, owned=False),
}
"""Path parameter name → a factory of a record of that type. Add an entry for every new id parameter."""

PATH_OVERRIDES: dict[tuple[str, str], Entry] = {
    ("/calendar/{name:str}", "name"): Entry(_user_calendar, owned=True),
    ("/calendar/facilities/{name:str}", "name"): Entry(_facility_calendar, owned=False),
    ("/password-reset/{token:str}", "token"): Entry(_link_token, owned=False),
    ("/invitation/{token:str}", "token"): Entry(_link_token, owned=False),
    ("/api/v1/imports/{kind:str}", "kind"): Entry(_import_kind, owned=False),
    ("/facilities/{facility_id:int}/training-requests/{request_id:int}/close", "request_id"): Entry(_training_request, owned=True),
    ("/api/v1/imports/{kind:str}/template", "kind"): Entry(_import_kind, owned=False),
    ("/facility-photos/{file_name:str}", "file_name"): Entry(_photo_file, owned=False),
}
"""(route path, parameter) → entry, for parameters whose name says nothing of their type."""

PREFIX_OVERRIDES: list[tuple[str, str, str]] = [
    ("/api/v1/waitlist/", "entry_id", "waitlist_entry_id"),
    ("/waitlist/", "entry_id", "waitlist_entry_id"),
]
"""(path prefix, parameter, REGISTRY key): a generic parameter name read by the route's prefix."""

REGISTRY["waitlist_entry_id"] = Entry(_waitlist_entry, owned=True)

WORLD_ONLY: set[str] = set()
"""REGISTRY entries no route takes as a parameter: built for the world alone, so that list pages are
checked not to show them (firm A's lease)."""


async def world_id(world: World, name: str) -> Any:
    if name not in world.ids:
        world.ids[name] = await REGISTRY[name].factory(world)
    return world.ids[name]


def registry_key(path: str, parameter: str) -> str:
    for prefix, name, key in PREFIX_OVERRIDES:
        if path.startswith(prefix) and parameter == name:
            return key
    return parameter


def entry_for(path: str, parameter: str) -> Entry | None:
    return PATH_OVERRIDES.get((path, parameter)) or REGISTRY.get(registry_key(path, parameter))


# --- requests built from the handler's signature -----------------------------------------------------------


def _sample(name: str, annotation: Any, world: World) -> Any:
    """A value for a body field: firm A's id for an id field, something well-formed otherwise."""
    if name in world.ids:
        return world.ids[name]
    if name.endswith("_ids") and name[:-1] in world.ids:
        return [world.ids[name[:-1]]]
    if name in ("email",):
        return f"probe{secrets.token_hex(3)}@rival.test"
    if "password" in name:
        return "a-long-passphrase-2026"
    if name == "uscc":
        return make_uscc(secrets.randbelow(10**9))
    if name.endswith("_at") or name in ("from", "to"):
        return _at(8 if name != "ends_at" else 8, 10 if name != "ends_at" else 11).isoformat()
    fixed = {"role": "member", "sector": "new_media", "kind": "lab", "unit_kind": "office", "min_area_m2": 50.0,
             "max_area_m2": 300.0, "term_months": 12, "area_m2": 80.0}
    if name in fixed:
        return fixed[name]
    origin = typing.get_origin(annotation)
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if origin in (typing.Union,) or type(annotation).__name__ == "UnionType":
        return _sample(name, args[0], world) if args else None
    if annotation is date or name.endswith(("_date", "_on")):
        return (date.today() + timedelta(days=30)).isoformat()
    if annotation is datetime:
        return _at(8, 10).isoformat()
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is float:
        return 1.0
    if annotation is str:
        return "rival-probe"
    if origin in (list, tuple, set) or annotation in (list, tuple, set):
        return []
    if origin is dict or annotation is dict:
        return {}
    return None


def _json_body(annotation: Any, world: World) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        hints = typing.get_type_hints(annotation)
        return {f.name: _sample(f.name, hints.get(f.name, str), world) for f in msgspec.structs.fields(annotation)}
    return {}


def _query(handler: Any, world: World) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, definition in handler.parsed_fn_signature.parameters.items():
        if type(definition.kwarg_definition).__name__ != "QueryParameter":
            continue
        key = getattr(definition.kwarg_definition, "query", None) or name
        if key in world.ids:
            params[key] = str(world.ids[key])
        elif key in ("from", "from_", "to", "on"):
            params[key.rstrip("_")] = (date.today() + timedelta(days=1 if key == "to" else 0)).isoformat()
        elif not definition.has_default:
            params[key] = str(_sample(key, definition.annotation, world))
    return params


def _body(handler: Any, world: World, csrf: str, is_api: bool) -> dict[str, Any]:
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return {"json": {}} if is_api else {"data": {"_csrf_token": csrf}}
    if is_api:
        return {"json": _json_body(data.annotation, world)}
    return {"data": {"_csrf_token": csrf, "role": "member", "is_active": "", "name": "rival-probe"}}


# --- the database, before and after --------------------------------------------------------------------------


async def _snapshot_tables() -> dict[str, dict[Any, dict[str, Any]]]:
    from piccolo.conf.apps import Finder

    snapshot = {}
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in HOUSEKEEPING_TABLES:
            continue
        rows = await table.select()
        snapshot[name] = {row["id"]: row for row in rows}
    return snapshot


def _owner(table: str, row: dict[str, Any], world: World) -> int | None:
    """The firm a row belongs to, when it can be told."""
    if table == "tenant":
        return row["id"]
    for column in ("tenant", "tenant_id"):
        if row.get(column) is not None:
            return row[column]
    user = row.get("user", row.get("actor_id"))
    if user in world.a_user_ids:
        return world.tenant_a["id"]
    if user in world.b_user_ids:
        return world.tenant_b["id"]
    return None


def _changes(before: dict, after: dict) -> list[tuple[str, str, dict[str, Any]]]:
    changes = []
    for table, rows in after.items():
        old = before.get(table, {})
        for key, row in rows.items():
            if key not in old:
                changes.append((table, "inserted", row))
            elif old[key] != row:
                changes.append((table, "changed", row))
        for key, row in old.items():
            if key not in rows:
                changes.append((table, "deleted", row))
    return changes


# --- the walk ------------------------------------------------------------------------------------------------


async def _build_world() -> World:
    tenant_a = await create_tenant(name=f"{MARKER}企业", name_en=f"{MARKER} Firm A")
    tenant_b = await create_tenant(name="竞争对手公司", name_en="Rival Firm")
    admin_a = await create_user("tenant_admin", tenant_a["id"], name=f"{MARKER} admin", email=f"{MARKER}.admin@a.test")
    member_a = await create_user("member", tenant_a["id"], name=f"{MARKER} member", email=f"{MARKER}.member@a.test")
    world = World(tenant_a=tenant_a, admin_a=admin_a, member_a=member_a, tenant_b=tenant_b)
    world.a_user_ids = {admin_a.id, member_a.id}
    from park.tenants.tables import QualificationRecord

    await QualificationRecord(tenant=tenant_a["id"], kind="original_brand", certificate_no=f"{MARKER}-cert").save()
    for name in REGISTRY:
        await world_id(world, name)
    return world


def _routes(app: Any) -> list[tuple[str, str, Any]]:
    walked = []
    for route in app.routes:
        path = route.path
        if path.startswith(SKIPPED_PREFIXES) or path in SKIPPED_PAGES:
            continue
        is_api = path.startswith("/api/")
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                if is_api or PATH_PARAMETER.search(path) or method == "GET":
                    # Pages without an id are read only: a list page must not show firm A's records either.
                    walked.append((method, path, handler))
    return walked


def missing_registry_entries(app: Any) -> list[str]:
    return sorted(
        {
            f"{path} ({parameter})"
            for _, path, _ in _routes(app)
            for parameter in PATH_PARAMETER.findall(path)
            if entry_for(path, parameter) is None
        }
    )


def unmatched_entries(app: Any) -> list[str]:
    """Entries of the walk's tables that match no route: stale, or mistyped (they would skip nothing
    or fill nothing, silently)."""
    paths = [route.path for route in app.routes]
    walked = [(path, parameter) for _, path, _ in _routes(app) for parameter in PATH_PARAMETER.findall(path)]
    unmatched = [f"SKIPPED_PREFIXES {prefix}" for prefix in SKIPPED_PREFIXES
                 if not any(path.startswith(prefix) for path in paths)]
    unmatched += [f"SKIPPED_PAGES {page}" for page in SKIPPED_PAGES if page not in paths]
    unmatched += [f"PATH_OVERRIDES {key}" for key in PATH_OVERRIDES if key not in walked]
    unmatched += [f"PREFIX_OVERRIDES {prefix} ({parameter})" for prefix, parameter, _ in PREFIX_OVERRIDES
                  if not any(path.startswith(prefix) and name == parameter for path, name in walked)]
    used = {registry_key(path, parameter) for path, parameter in walked}
    unmatched += [f"REGISTRY {name}" for name in REGISTRY if name not in used and name not in WORLD_ONLY]
    unmatched += [f"WORLD_ONLY {name} (a route takes it: move it to REGISTRY alone)" for name in WORLD_ONLY
                  if name in used or name not in REGISTRY]
    return unmatched


async def _rivals(world: World) -> dict[str, Login]:
    rivals = {
        "tenant_admin": await create_user("tenant_admin", world.tenant_b["id"], name="Rival admin"),
        "member": await create_user("member", world.tenant_b["id"], name="Rival member"),
    }
    world.b_user_ids = {login.id for login in rivals.values()}
    return rivals


async def walk(app: Any, world: World, rivals: dict[str, Login]) -> tuple[list[str], int]:
    """Every walked route called by each rival; the failures found and the number of calls made."""
    failures: list[str] = []
    checked = 0
    walked = _routes(app)
    for role, rival in rivals.items():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
            signed = await sign_in(browser, rival.email)
            assert signed.status_code == 303, f"the {role} of firm B could not sign in"
            csrf = csrf_from((await browser.get("/login")).text)
            for method, path, handler in walked:
                if any(entry_for(path, parameter) is None for parameter in PATH_PARAMETER.findall(path)):
                    continue  # reported by missing_registry_entries
                is_api = path.startswith("/api/")
                url = path
                owned = False
                for parameter in PATH_PARAMETER.findall(path):
                    entry = entry_for(path, parameter)
                    overridden = (path, parameter) in PATH_OVERRIDES
                    value = await (entry.factory(world) if overridden else world_id(world, registry_key(path, parameter)))
                    owned = owned or entry.owned
                    url = re.sub(r"\{" + parameter + r"(?::\w+)?\}", str(value), url)
                headers = rival.headers if is_api else {"accept": "text/html"}
                kwargs: dict[str, Any] = {"params": _query(handler, world), "headers": headers}
                if method in ("POST", "PUT", "PATCH"):
                    kwargs |= _body(handler, world, csrf, is_api)
                before = await _snapshot_tables()
                response = await browser.request(method, url, **kwargs)
                after = await _snapshot_tables()
                checked += 1
                where = f"{role} of firm B: {method} {url}"
                changes = _changes(before, after)
                if owned:
                    if response.status_code not in (403, 404):
                        failures.append(f"{where} answered {response.status_code} (expected 403 or 404)")
                    if changes:
                        failures.append(f"{where} changed {[(t, kind, row.get('id')) for t, kind, row in changes]}")
                else:
                    if response.status_code < 400 and MARKER in response.text:
                        failures.append(f"{where} showed firm A's data")
                    touched = [
                        (table, kind, row.get("id"))
                        for table, kind, row in changes
                        if _owner(table, row, world) == world.tenant_a["id"]
                        or (kind != "inserted" and _owner(table, row, world) is None)
                    ]
                    if touched:
                        failures.append(f"{where} changed firm A's or shared records: {touched}")
                if response.status_code >= 500:
                    failures.append(f"{where} failed with {response.status_code}")
    return failures, checked


async def test_no_route_lets_another_firm_see_or_change_a_firms_records(app, db):
    unmatched = unmatched_entries(app)
    assert not unmatched, "These entries of tests/test_isolation.py match no route; remove or correct them: " + ", ".join(unmatched)
    missing = missing_registry_entries(app)
    assert not missing, (
        "These routes take a path parameter that tests/test_isolation.py cannot fill with a record of another firm. "
        "Add a factory to REGISTRY (or PATH_OVERRIDES) for each: " + ", ".join(missing)
    )
    world = await _build_world()
    failures, checked = await walk(app, world, await _rivals(world))
    assert checked == 2 * len(_routes(app)) > 0
    assert not failures, f"{len(failures)} isolation failures over {checked} calls:\n" + "\n".join(failures)


# --- the walk itself can fail: a route added without scoping, or with an unknown id, is caught -----------------


@pytest.mark.own_app
async def test_the_walk_catches_a_new_route_that_forgets_to_scope(app, db):
    from litestar import get

    from park.bookings.tables import Booking

    @get("/api/v1/unscoped-bookings/{booking_id:int}")
    async def unscoped(booking_id: int) -> dict[str, Any]:
        return await Booking.select(Booking.id, Booking.purpose).where(Booking.id == booking_id).first()

    app.register(unscoped)
    world = await _build_world()
    failures, _ = await walk(app, world, await _rivals(world))
    assert any("/api/v1/unscoped-bookings/" in failure and "answered 200" in failure for failure in failures)


def test_an_entry_that_matches_no_route_is_reported(app, monkeypatch):
    monkeypatch.setitem(REGISTRY, "gadget_id", REGISTRY["unit_id"])
    monkeypatch.setitem(PATH_OVERRIDES, ("/calendar/gadgets/{name:str}", "name"), REGISTRY["unit_id"])
    monkeypatch.setattr(sys.modules[__name__], "SKIPPED_PAGES", (*SKIPPED_PAGES, "/gone"))
    assert unmatched_entries(app) == [
        "SKIPPED_PAGES /gone", "PATH_OVERRIDES ('/calendar/gadgets/{name:str}', 'name')", "REGISTRY gadget_id",
    ]


@pytest.mark.own_app
async def test_a_new_route_with_an_unknown_id_parameter_is_reported(app, db):
    from litestar import get

    @get("/api/v1/widgets/{widget_id:int}")
    async def widget(widget_id: int) -> dict[str, int]:
        return {"id": widget_id}

    app.register(widget)
    assert "/api/v1/widgets/{widget_id:int} (widget_id)" in missing_registry_entries(app)
