"""The home page: the demo base at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Request, get
from litestar.response import Template

from park.facilities import queries
from park.shared.web import page

FACILITY_KINDS = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    buildings = await queries.list_buildings()
    facilities = await queries.list_facilities()
    per_building: dict[int, list[dict[str, Any]]] = {b["id"]: [] for b in buildings}
    for facility in facilities:
        per_building.setdefault(facility["building"], []).append(facility)
    kinds = Counter(f["kind"] for f in facilities)
    return page(
        request,
        "home.html",
        buildings=buildings,
        per_building=per_building,
        kind_counts=[(kind, kinds.get(kind, 0)) for kind in FACILITY_KINDS],
        facility_count=len(facilities),
    )


ROUTES: list[Any] = [home]
