"""A manager overrides an allocation round's proposal; the firm left without a unit reads why.

The round here is the test's own: three warehouse units of an area no demo unit has, wanted by two
firms (the Dragonlight firm, whose administrator signs in, and another). Confirming a round closes
every open application, so this file sorts after the other journeys that allocate space.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.steps import MANAGER, TENANT_ADMIN, follow_nav, say_yes, scrolls_sideways, sign_in, zh


def first_of_next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def space_to_allocate(area_m2: float) -> dict:
    """Three warehouse units of about `area_m2` and two open applications that fit them all (the other firm's first)."""
    from tests.browser.conftest import _run

    made: dict = {}

    async def work() -> None:
        from park.accounts.tables import User
        from park.allocation.tables import SpaceApplication, Unit
        from park.facilities.tables import Building
        from park.shared.clock import utc_now
        from park.tenants.tables import Tenant

        now = utc_now()
        building = await Building.select(Building.id, Building.code).order_by(Building.id).first()
        units = []
        for number, extra in enumerate((0.0, 0.5, 1.0), 1):
            unit = Unit(building=building["id"], floor=9, code=f"{building['code']}-9{int(area_m2) % 100:02d}{number}",
                        kind="warehouse", area_m2=area_m2 + extra, monthly_rent_fen=100_000, created_at=now)
            await unit.save()
            units.append(unit.id)
        dragonlight = (await User.select(User.tenant).where(User.email == TENANT_ADMIN).first())["tenant"]
        other = (await Tenant.select(Tenant.id).where(Tenant.id != dragonlight).order_by(Tenant.id).first())["id"]
        applications = {}
        for tenant, score in ((other, 90), (dragonlight, 80)):
            application = SpaceApplication(
                tenant=tenant, unit_kind="warehouse", min_area_m2=area_m2 - 1, max_area_m2=area_m2 + 2,
                preferred_building_ids=[], start_date=first_of_next_month(now.date()), term_months=12,
                justification="仓储 / Storage", status="open", score=score,
                score_breakdown=[{"rule": "base", "points": score}], policy_version="test", scored_at=now,
                submitted_at=now - timedelta(hours=1),
            )
            await application.save()
            applications[tenant] = application.id
        made.update(units=units, other=applications[other], dragonlight=applications[dragonlight])

    _run(work)
    return made


def row_of(page, application_id: int):
    return page.locator("tbody tr", has=page.locator(f"a[href='/space/applications/{application_id}']"))


def offered_units(page, application_id: int) -> set[int]:
    values = row_of(page, application_id).locator("select[name=unit_id] option").evaluate_all(
        "options => options.map(o => o.value)")
    assert values[0] == "", "“No unit” comes first"
    return {int(value) for value in values[1:]}


def housed(page) -> int:
    return int(page.locator("main .stats strong").first.inner_text())


def override(page, application_id: int, unit_id: int | None, reason: str) -> None:
    row = row_of(page, application_id)
    row.locator("select[name=unit_id]").select_option(value="" if unit_id is None else str(unit_id))
    row.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert page.locator(".flash-success").is_visible()


@pytest.mark.parametrize(("language", "viewport", "area_m2"), [("zh_Hans", "wide", 1231.0), ("en", "narrow", 1241.0)])
def test_an_override_offers_only_fitting_free_units_moves_the_housed_count_and_the_firm_left_out_reads_why(
    browser, language, viewport, area_m2,
):
    t = zh if language == "zh_Hans" else (lambda text: text)
    space = space_to_allocate(area_m2)
    mine = set(space["units"])
    manager = browser.open("/", viewport=viewport, language=language)
    sign_in(manager, MANAGER)
    follow_nav(manager, "/allocation")
    with manager.expect_navigation():
        manager.get_by_role("button", name=t("Run a round")).click()
    assert scrolls_sideways(manager) == []
    browser.shot(manager, f"allocation-override-proposed-{language}-{viewport}")

    # Both firms are housed in two of the three units; each may be moved only to its own or the spare one.
    first, second = space["other"], space["dragonlight"]
    offered_first, offered_second = offered_units(manager, first), offered_units(manager, second)
    assert len(offered_first) == 2 and offered_first <= mine, "only the units that fit and are free"
    assert len(offered_second) == 2 and offered_second <= mine
    spare = (offered_first & offered_second).pop()
    before = housed(manager)

    # The first firm moves to the spare unit: still housed, marked overridden.
    override(manager, first, spare, "就近仓储" if language == "zh_Hans" else "Closer to its loading bay")
    assert housed(manager) == before
    assert t("overridden") in row_of(manager, first).inner_text()
    # Dragonlight gets nothing: one fewer housed, and the unit it had is free for the first firm again.
    reason = "该仓库预留给消防整改" if language == "zh_Hans" else "That warehouse is held back for fire-safety works"
    override(manager, second, None, reason)
    assert housed(manager) == before - 1
    assert offered_units(manager, first) == mine, "a unit no one holds is offered again"
    assert offered_units(manager, second) == mine - {spare}
    assert scrolls_sideways(manager) == []
    browser.shot(manager, f"allocation-override-changed-{language}-{viewport}")

    manager.get_by_role("button", name=t("Confirm the round")).click()
    say_yes(manager)
    assert housed(manager) == before - 1, "the count stays as overridden"
    assert scrolls_sideways(manager) == []

    # Dragonlight's administrator reads, on its own application, that no unit was allocated and why.
    firm = browser.open("/", viewport=viewport, language=language)
    sign_in(firm, TENANT_ADMIN)
    firm.goto(f"/space/applications/{second}")
    outcome = firm.locator("section", has=firm.get_by_role("heading", name=t("Why no unit was allocated")))
    assert outcome.is_visible()
    assert reason in outcome.inner_text()
    assert scrolls_sideways(firm) == []
    browser.shot(firm, f"space-application-left-out-{language}-{viewport}")
