"""Demo space: about 120 units across the demo buildings, leases, and open applications to allocate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from park.priority.queries import tenant_facts
from park.priority.rules import score_tenant
from park.priority.service import current_policy
from park.allocation.rules import add_months
from park.allocation.tables import Lease, SpaceApplication, Unit
from park.settings import load_settings

# Per building: the unit kinds on offer, in the share they appear.
BUILDING_KINDS = {
    "A": ("office", "office", "office", "showroom"),
    "B": ("office", "office", "studio", "showroom"),
    "C": ("studio", "studio", "lab", "office"),
    "D": ("lab", "lab", "office", "warehouse"),
}
FLOORS = range(2, 8)  # six floors of five units: 30 per building
UNITS_PER_FLOOR = 5
RENT_FEN_PER_M2 = {"office": 16_000, "showroom": 20_000, "studio": 14_000, "lab": 18_000, "warehouse": 8_000}


async def load(ctx: Any) -> None:
    rng = ctx.rng
    today = ctx.now.astimezone(ctx.zone).date()
    units: list[Unit] = []
    for building in ctx.buildings:
        kinds = BUILDING_KINDS.get(building["code"], ("office",))
        for floor in FLOORS:
            for number in range(1, UNITS_PER_FLOOR + 1):
                kind = rng.choice(kinds)
                low, high = (200, 900) if kind == "warehouse" else (40, 480)
                area = float(rng.randrange(low, high, 10))
                units.append(
                    Unit(
                        building=building["id"],
                        floor=floor,
                        code=f"{building['code']}-{floor}{number:02d}",
                        kind=kind,
                        area_m2=area,
                        monthly_rent_fen=int(area * RENT_FEN_PER_M2[kind]),
                        created_at=ctx.now,
                    )
                )
    await Unit.insert(*units)
    unit_rows = await Unit.select().order_by(Unit.id)

    # About three in five units are leased now; a few leases end within 90 days
    # (the reminders and the space report show them), a few have already ended.
    tenants = ctx.tenants
    leases = []
    for row in unit_rows:
        roll = rng.random()
        tenant = rng.choice(tenants)
        if roll < 0.55:
            starts_on = today - timedelta(days=rng.randrange(60, 900))
            ends_on = today + timedelta(days=rng.randrange(120, 1000))
        elif roll < 0.63:
            starts_on = today - timedelta(days=rng.randrange(300, 900))
            ends_on = today + timedelta(days=rng.randrange(5, 90))
        elif roll < 0.70:
            starts_on = today - timedelta(days=rng.randrange(800, 1500))
            ends_on = today - timedelta(days=rng.randrange(10, 200))
        else:
            continue
        leases.append(Lease(unit=row["id"], tenant=tenant["id"], starts_on=starts_on, ends_on=ends_on, created_at=ctx.now))
    await Lease.insert(*leases)

    # Open applications, several competing for the same kinds, for the manager's next round.
    policy = current_policy(load_settings())
    building_ids = [b["id"] for b in ctx.buildings]
    first_of_next_month = add_months(date(today.year, today.month, 1), 1)
    applicants = rng.sample(tenants, min(16, len(tenants)))
    applications = []
    for index, tenant in enumerate(applicants):
        kind = ("office", "office", "studio", "lab")[index % 4]
        low = float(rng.randrange(60, 260, 20))
        preferred = rng.sample(building_ids, rng.randint(1, 2)) if index % 3 == 0 else []
        score = score_tenant(await tenant_facts(tenant["id"], today, ctx.now), policy)
        applications.append(
            SpaceApplication(
                tenant=tenant["id"],
                unit_kind=kind,
                min_area_m2=low,
                max_area_m2=low + rng.randrange(40, 200, 20),
                preferred_building_ids=preferred,
                start_date=add_months(first_of_next_month, rng.randint(0, 3)),
                term_months=rng.choice((12, 24, 36)),
                justification=rng.choice(
                    (
                        "团队扩张，需要更大的办公空间。",
                        "新设动作捕捉与后期制作部门。",
                        "承接重大文化科技项目，需独立实验空间。",
                        "原创品牌展示与客户接待。",
                    )
                ),
                status="open",
                score=score.points,
                score_breakdown=[{"rule": rule, "points": points} for rule, points in score.breakdown],
                policy_version=score.policy_version,
                scored_at=ctx.now,
                submitted_at=ctx.now - timedelta(hours=rng.randrange(1, 24 * 20)),
            )
        )
    await SpaceApplication.insert(*applications)
