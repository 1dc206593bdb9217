"""Demo step: a season of bookings across the demo facilities (seeded, rule-abiding)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from park.bookings.model import CANCELLED, COMPLETED, CONFIRMED, NO_SHOW, PENDING, REQUESTED, REJECTED
from park.bookings.tables import Booking
from park.bookings.availability import open_runs
from park.facilities.queries import to_spec
from park.facilities.tables import Blackout
from park.shared.timespan import Span
from park.shared.reasons import stored

# The season: six weeks back and six weeks ahead of "now".
WEEKS_BACK = 6
WEEKS_AHEAD = 6
# Share of slots where a booking attempt starts (keeps firms under their monthly quotas).
DENSITY = 0.06
PURPOSES = ["项目评审 / Project review", "原型测试 / Prototype test", "客户演示 / Client demo",
            "团队培训 / Team training", "素材采集 / Asset capture", "渲染任务 / Render job", ""]


def plan_season(
    facilities: list[dict[str, Any]], members: list[dict[str, Any]], rng, now: datetime, zone,
    closed: dict[int, list[Span]] | None = None,
) -> list[dict[str, Any]]:
    """Booking rows that respect opening hours, the slot grid, durations, buffers and capacity."""
    season = Span(now - timedelta(weeks=WEEKS_BACK), now + timedelta(weeks=WEEKS_AHEAD))
    rows: list[dict[str, Any]] = []
    for facility in facilities:
        spec = to_spec(facility)
        if spec.booking_mode != "instant":
            continue
        slot = spec.slot
        load: dict[datetime, int] = {}  # seats held per slot start (buffer counted as one more slot)
        for run in open_runs(spec, season, zone):
            cursor = run.starts_at
            while cursor + slot <= run.ends_at:
                # A booking attempt starts at this share of the slots.
                if rng.random() < DENSITY:
                    slots = rng.randint(max(1, spec.min_duration_minutes // spec.slot_minutes),
                                        max(1, min(spec.max_duration_minutes, 240) // spec.slot_minutes))
                    ends_at = min(cursor + slot * slots, run.ends_at)
                    if (ends_at - cursor) >= timedelta(minutes=spec.min_duration_minutes):
                        seats = 1 if spec.capacity == 1 else rng.randint(1, max(1, spec.capacity // 3))
                        held_until = ends_at + spec.buffer
                        steps = []
                        t = cursor
                        while t < held_until:
                            steps.append(t)
                            t += slot
                        wanted = Span(cursor, ends_at)
                        blocked = any(c.overlaps(wanted) for c in (closed or {}).get(spec.id, []))
                        if not blocked and all(load.get(s, 0) + seats <= spec.capacity for s in steps):
                            for s in steps:
                                load[s] = load.get(s, 0) + seats
                            member = rng.choice(members)
                            rows.append(_row(facility, spec, member, cursor, ends_at, seats, rng, now))
                cursor += slot
    return rows


def _row(facility, spec, member, starts_at, ends_at, seats, rng, now) -> dict[str, Any]:
    if ends_at <= now:
        status = rng.choices([COMPLETED, NO_SHOW, CANCELLED], weights=[85, 7, 8])[0]
        if spec.requires_approval and rng.random() < 0.1:
            status = REJECTED
    elif spec.requires_approval:
        status = rng.choices([PENDING, CONFIRMED], weights=[40, 60])[0]
    else:
        status = rng.choices([CONFIRMED, CANCELLED], weights=[92, 8])[0]
    created_at = min(starts_at - timedelta(days=rng.randint(1, 20)), now)
    return {
        "facility": facility["id"], "tenant": member["tenant"], "user": member["id"],
        "starts_at": starts_at.astimezone(timezone.utc), "ends_at": ends_at.astimezone(timezone.utc),
        "occupied_until": (ends_at + spec.buffer).astimezone(timezone.utc),
        "exclusive": spec.capacity == 1, "seats": seats, "purpose": rng.choice(PURPOSES), "status": status,
        "created_at": created_at,
        "checked_in_at": starts_at if status == COMPLETED else None,
        "cancelled_at": created_at if status == CANCELLED else None,
        **(stored("status_reason", "booking.no_show") if status == NO_SHOW else {}),
    }


async def load(ctx) -> None:
    members = [u for u in ctx.users if u.get("tenant")]
    if not members or not ctx.facilities:
        return
    closed: dict[int, list[Span]] = {}
    for blackout in await Blackout.select():
        for facility in ctx.facilities:
            if blackout["facility"] == facility["id"] or blackout["building"] == facility["building"]:
                closed.setdefault(facility["id"], []).append(Span(blackout["starts_at"], blackout["ends_at"]))
    rows = plan_season(ctx.facilities, members, ctx.rng, ctx.now, ctx.zone, closed)
    # A few window-mode requests for the next weeks, waiting for the draw.
    for facility in ctx.facilities:
        if facility["booking_mode"] == "window":
            spec = to_spec(facility)
            runs = open_runs(spec, Span(ctx.now + timedelta(days=7), ctx.now + timedelta(days=14)), ctx.zone)
            for run in runs[:3]:
                for member in ctx.rng.sample(members, k=min(3, len(members))):
                    ends_at = min(run.starts_at + timedelta(minutes=max(spec.min_duration_minutes, spec.slot_minutes)), run.ends_at)
                    row = _row(facility, spec, member, run.starts_at, ends_at, 1, ctx.rng, ctx.now)
                    rows.append(row | {"status": REQUESTED})
    batch = 500
    for start in range(0, len(rows), batch):
        await Booking.insert(*[Booking(**row) for row in rows[start:start + batch]])
