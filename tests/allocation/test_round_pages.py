"""The round page guides an override: only units that fit the application and are free for its term are offered;
a hand-made form naming another is refused and changes nothing; the housed count follows; the firm left without
a unit reads why on its own application page, in its language."""

from __future__ import annotations

import re
from datetime import date

from park.allocation.tables import AllocationRound, Lease, RoundAssignment
from park.audit.tables import AuditEntry
from tests import builders
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import application_body, create_building, create_lease, create_unit

EN = {"accept-language": "en"}


async def a_round(client, manager, tenant):
    """Two applications (the first for offices of 80–200 m² in building A only) and units that fail each test."""
    a, b = await create_building(code="RA"), await create_building(code="RB")
    units = {
        "fits": await create_unit(a["id"], code="RA-101", area_m2=120),
        "also_fits": await create_unit(a["id"], code="RA-102", area_m2=150),
        "lab": await create_unit(a["id"], code="RA-201", kind="lab", area_m2=120),
        "small": await create_unit(a["id"], code="RA-301", area_m2=50),
        "large": await create_unit(a["id"], code="RA-401", area_m2=300),
        "elsewhere": await create_unit(b["id"], code="RB-101", area_m2=120),
        "leased": await create_unit(a["id"], code="RA-501", area_m2=130),
    }
    await create_lease(units["leased"]["id"], tenant["id"], date(2030, 6, 1), date(2032, 1, 1))
    firm = await builders.create_tenant(name="甲公司", name_en="Alpha Ltd")
    other = await builders.create_tenant(name="乙公司", name_en="Beta Ltd")
    admin = await builders.create_user("tenant_admin", firm["id"])
    other_admin = await builders.create_user("tenant_admin", other["id"])
    mine = (await client.post("/api/v1/space-applications", json=application_body(preferred_building_ids=[a["id"]]),
                              headers=admin.headers)).json()
    theirs = (await client.post("/api/v1/space-applications", json=application_body(), headers=other_admin.headers)).json()
    round_ = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    await sign_in(client, manager.email)
    return round_, units, mine, theirs, admin


def offered(html: str, application_id: int) -> set[str]:
    select = re.search(rf'<select id="unit-{application_id}".*?</select>', html, re.S).group(0)
    return {code for code in re.findall(r">(R[AB]-\d+) ·", select)}


async def assignment_of(round_id: int, application_id: int) -> dict:
    return await RoundAssignment.select().where(
        (RoundAssignment.allocation_round == round_id) & (RoundAssignment.application == application_id)).first()


async def test_the_override_lists_only_units_that_fit_and_are_free(client, manager, tenant):
    round_, units, mine, theirs, _admin = await a_round(client, manager, tenant)
    html = (await client.get(f"/allocation/rounds/{round_['id']}", headers=EN)).text
    given_to_theirs = (await assignment_of(round_["id"], theirs["id"]))["unit"]
    code_of = {unit["id"]: unit["code"] for unit in units.values()}
    expected = {"RA-101", "RA-102"} - {code_of.get(given_to_theirs)}
    assert offered(html, mine["id"]) == expected, "kind, area, building, leases and the round's other assignments"
    assert f"{len(expected)} units fit this application and are free for its term." in html
    # The other firm asked for no building: building B's office fits it, the lab, the small, large and leased ones do not.
    assert "RB-101" in offered(html, theirs["id"]) and not offered(html, theirs["id"]) & {"RA-201", "RA-301", "RA-401", "RA-501"}


async def test_a_hand_made_override_naming_an_unfit_or_taken_unit_is_refused_and_changes_nothing(client, manager, tenant):
    round_, units, mine, theirs, _admin = await a_round(client, manager, tenant)
    page = await client.get(f"/allocation/rounds/{round_['id']}", headers=EN)
    token = csrf_from(page.text)
    before = await assignment_of(round_["id"], mine["id"])
    held = (await assignment_of(round_["id"], theirs["id"]))["unit"]
    refusals = {
        units["lab"]["id"]: "The firm asked for a Office, not a Lab." ,
        units["small"]["id"]: "Unit RA-301 has 50 m²; the firm asked for 80 to 200 m².",
        units["large"]["id"]: "Unit RA-401 has 300 m²; the firm asked for 80 to 200 m².",
        units["elsewhere"]["id"]: "Unit RB-101 is not in a building the firm asked for.",
        units["leased"]["id"]: "Unit RA-501 is leased during the term asked for.",
        held: "already goes to application #%d in this round" % theirs["id"],
        999999: "No such unit.",
    }
    for unit_id, message in refusals.items():
        answer = await client.post(f"/allocation/rounds/{round_['id']}/override", headers=EN, data={
            "_csrf_token": token, "application_id": str(mine["id"]), "unit_id": str(unit_id), "reason": "Hand-made."})
        assert answer.status_code == 303
        shown = (await client.get(answer.headers["location"], headers=EN)).text
        assert message.lower() in shown.lower(), (unit_id, message)
    for data in ({"application_id": "abc", "unit_id": str(units["fits"]["id"])}, {"application_id": "999999999"}):
        answer = await client.post(f"/allocation/rounds/{round_['id']}/override", headers=EN,
                                   data={"_csrf_token": token, "reason": "Hand-made.", **data})
        assert answer.status_code == 303
    after = await assignment_of(round_["id"], mine["id"])
    assert (after["unit"], after["overridden"]) == (before["unit"], before["overridden"])
    assert await AuditEntry.count().where(AuditEntry.action == "allocation_round.override") == 0
    chinese = await client.post(f"/allocation/rounds/{round_['id']}/override", data={
        "_csrf_token": token, "application_id": str(mine["id"]), "unit_id": str(units["lab"]["id"]), "reason": "x"})
    assert "该企业申请的是 办公室，而不是 实验室。" in (await client.get(chinese.headers["location"])).text


async def test_the_housed_count_follows_an_override_and_the_firm_left_out_reads_why(client, manager, tenant):
    round_, units, mine, theirs, admin = await a_round(client, manager, tenant)
    url = f"/allocation/rounds/{round_['id']}"
    page = await client.get(url, headers=EN)
    assert "<strong>2</strong> of 2 applicants housed" in page.text
    answer = await client.post(f"{url}/override", headers=EN, data={
        "_csrf_token": csrf_from(page.text), "application_id": str(mine["id"]), "unit_id": "",
        "reason": "The firm's fit-out plan was not approved."})
    assert answer.status_code == 303
    page = await client.get(url, headers=EN)
    assert "The assignment has been changed" in page.text
    assert "<strong>1</strong> of 2 applicants housed" in page.text
    assert (await AllocationRound.select(AllocationRound.housed_count).where(AllocationRound.id == round_["id"]).first()) == {"housed_count": 1}
    # The confirm step says what will happen: one lease, two firms told.
    asked = await client.post(f"{url}/confirm", headers=EN, data={"_csrf_token": csrf_from(page.text)})
    assert "Yes, sign 1 leases and notify 2 firms" in asked.text and "Alpha Ltd · told why it got nothing this round" in asked.text
    await client.post(f"{url}/confirm", data={"_csrf_token": csrf_from(asked.text), "confirmed": "1"})
    assert await Lease.count() == 2  # the tenant's earlier lease and the one signed

    await sign_in(client, admin.email)
    english = (await client.get(f"/space/applications/{mine['id']}", headers=EN)).text
    assert "Why no unit was allocated" in english and "fit-out plan was not approved." in english
    assert "You may apply again" in english
    chinese = (await client.get(f"/space/applications/{mine['id']}", headers={"accept-language": "zh-CN"})).text
    assert "未获分配单元的原因" in chinese and "园区管理员将结果改为不分配单元" in chinese
    assert "Why no unit" not in chinese and "A park manager changed" not in chinese


async def test_firm_users_cannot_override(client, manager, tenant):
    round_, units, mine, _theirs, admin = await a_round(client, manager, tenant)
    await sign_in(client, admin.email)
    page = await client.get(f"/space/applications/{mine['id']}", headers=EN)
    answer = await client.post(f"/allocation/rounds/{round_['id']}/override", headers=EN, data={
        "_csrf_token": csrf_from(page.text), "application_id": str(mine["id"]), "unit_id": str(units["fits"]["id"]), "reason": "x"})
    assert answer.status_code == 403
    assert (await assignment_of(round_["id"], mine["id"]))["overridden"] is False
