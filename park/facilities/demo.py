"""Demo step: training authorisations for the facilities that need them, and one blackout."""

from __future__ import annotations

from datetime import timedelta

from park.facilities.tables import Authorization, Blackout


async def load(ctx) -> None:
    members = [u for u in ctx.users if u.get("tenant")]
    trained = members[::2]  # every other firm user holds the training
    for facility in ctx.facilities:
        if not facility["requires_authorization"]:
            continue
        for number, user in enumerate(trained):
            valid_until = ctx.now + timedelta(days=180 if number % 3 else 20)
            await Authorization.insert(Authorization(facility=facility["id"], user=user["id"], valid_until=valid_until,
                                                     note="安全培训 / Safety training", granted_at=ctx.now))
    if ctx.facilities:
        day = (ctx.now + timedelta(days=10)).astimezone(ctx.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        await Blackout.insert(Blackout(facility=ctx.facilities[0]["id"], starts_at=day, ends_at=day + timedelta(days=1),
                                       reason="设备年检 / Annual equipment inspection", created_at=ctx.now))
