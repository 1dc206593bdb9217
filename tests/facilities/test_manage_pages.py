"""The manager's catalogue pages: buildings, the facility form (every setting), the manager's list."""

from __future__ import annotations

from park.facilities import queries
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_building, create_facility

EN = {"accept-language": "en"}


def facility_form(building_id: int, csrf: str, **overrides: str) -> dict[str, str]:
    form = {
        "name": "声学实验室", "name_en": "Acoustics lab", "code": "AC-1", "kind": "lab", "building_id": str(building_id),
        "platform": "Sound", "description": "Anechoic.", "capacity": "4", "booking_mode": "instant",
        "requires_approval": "on", "requires_authorization": "on", "is_active": "on",
        "hours_mon_0_start": "09:00", "hours_mon_0_end": "12:00", "hours_mon_1_start": "13:30", "hours_mon_1_end": "18:00",
        "hours_tue_0_start": "9:00", "hours_tue_0_end": "18:00", "hours_wed_0_start": "", "hours_wed_0_end": "",
        "hours_fri_0_start": "08:00", "hours_fri_0_end": "20:00",
        "slot_minutes": "30", "min_duration_minutes": "60", "max_duration_minutes": "240", "max_advance_days": "30",
        "buffer_minutes": "15", "cancel_cutoff_minutes": "120", "hourly_rate_yuan": "150.50", "_csrf_token": csrf,
    }
    form.update(overrides)
    return form


async def test_manager_adds_a_facility_with_every_field_from_the_form(client, manager):
    building = await create_building(code="FM")
    await sign_in(client, manager.email)
    form = await client.get("/facilities/new", headers=EN)
    assert form.status_code == 200
    answer = await client.post("/facilities/new", data=facility_form(building["id"], csrf_from(form.text)))
    assert answer.status_code == 303
    facility_id = int(answer.headers["location"].split("/")[2])
    row = await queries.get_facility(facility_id)
    assert (row["name"], row["name_en"], row["code"], row["kind"], row["platform"]) == ("声学实验室", "Acoustics lab", "AC-1", "lab", "Sound")
    assert row["opening_hours"]["mon"] == [["09:00", "12:00"], ["13:30", "18:00"]]
    assert row["opening_hours"]["tue"] == [["09:00", "18:00"]] and row["opening_hours"]["sat"] == []
    assert (row["capacity"], row["requires_approval"], row["requires_authorization"]) == (4, True, True)
    assert (row["slot_minutes"], row["min_duration_minutes"], row["max_duration_minutes"]) == (30, 60, 240)
    assert (row["max_advance_days"], row["buffer_minutes"], row["cancel_cutoff_minutes"]) == (30, 15, 120)
    assert row["hourly_rate_fen"] == 15050 and row["is_active"]
    edit = await client.get(answer.headers["location"], headers=EN)
    assert 'name="hours_mon_1_start" type="time" step="1800" value="13:30"' in edit.text and 'value="150.50"' in edit.text


async def test_manager_changes_a_facility_and_switches_it_off(client, manager):
    facility = await create_facility(name="旧名")
    await sign_in(client, manager.email)
    edit = await client.get(f"/facilities/{facility['id']}/edit", headers=EN)
    assert edit.status_code == 200
    answer = await client.post(
        f"/facilities/{facility['id']}/edit",
        data=facility_form(facility["building"], csrf_from(edit.text), name="新名", code="", hours_sat_0_start="10:00",
                           hours_sat_0_end="16:00",
                           is_active=""),
    )
    assert answer.status_code == 303
    row = await queries.get_facility(facility["id"])
    assert row["name"] == "新名" and row["code"] is None and not row["is_active"]
    assert row["opening_hours"]["sat"] == [["10:00", "16:00"]]
    listing = await client.get("/facilities/manage", headers=EN)
    assert "新名" in listing.text and "Inactive" in listing.text


async def test_a_refused_edit_shows_the_error_by_its_field_and_changes_nothing(client, manager):
    facility = await create_facility(name="不变")
    before = await queries.get_facility(facility["id"])
    await sign_in(client, manager.email)
    edit = await client.get(f"/facilities/{facility['id']}/edit", headers=EN)
    answer = await client.post(
        f"/facilities/{facility['id']}/edit",
        data=facility_form(facility["building"], csrf_from(edit.text), name="变了", hours_mon_0_start="12:00",
                             hours_mon_0_end="09:00"),
        headers=EN,
    )
    assert answer.status_code == 422
    assert "not after its start" in answer.text
    assert 'id="f-hours_mon_0_end"' in answer.text
    assert answer.text.index("not after its start") > answer.text.index('id="f-hours_mon_0_end"')
    assert 'value="变了"' in answer.text  # what was typed stays
    assert await queries.get_facility(facility["id"]) == before
    chinese = await client.post(
        f"/facilities/{facility['id']}/edit",
        data=facility_form(facility["building"], csrf_from(edit.text), capacity="many"),
        headers={"accept-language": "zh-CN"},
    )
    assert chinese.status_code == 422 and "请输入整数。" in chinese.text


async def test_manager_adds_and_renames_a_building_and_a_taken_code_is_refused(client, manager):
    await create_building(code="TK")
    await sign_in(client, manager.email)
    listing = await client.get("/buildings", headers=EN)
    assert listing.status_code == 200
    csrf = csrf_from(listing.text)
    added = await client.post("/buildings", data={"name": "七号楼", "name_en": "Block 7", "code": "B7", "_csrf_token": csrf})
    assert added.status_code == 303
    building = next(b for b in await queries.list_buildings() if b["code"] == "B7")
    renamed = await client.post(f"/buildings/{building['id']}", data={"name": "七栋", "name_en": "Tower 7", "_csrf_token": csrf})
    assert renamed.status_code == 303
    assert (await queries.get_building(building["id"]))["name_en"] == "Tower 7"
    taken = await client.post("/buildings", data={"name": "x", "code": "TK", "_csrf_token": csrf}, headers=EN)
    assert taken.status_code == 409 or taken.status_code == 422
    assert "exists already" in taken.text
    empty = await client.post(f"/buildings/{building['id']}", data={"name": " ", "_csrf_token": csrf}, headers=EN)
    assert empty.status_code == 422
    assert (await queries.get_building(building["id"]))["name"] == "七栋"


async def test_a_building_address_is_edited_on_its_page_and_shown_with_its_facilities_in_the_readers_language(client, manager):
    building = await create_building(code="AD")
    facility = await create_facility(building["id"], platform="声音工程中心", platform_en="Sound Engineering Centre")
    await sign_in(client, manager.email)
    csrf = csrf_from((await client.get("/buildings", headers=EN)).text)
    saved = await client.post(f"/buildings/{building['id']}", data={
        "name": building["name"], "name_en": "", "address": "深圳湾科技生态园 9 栋",
        "address_en": "Building 9, Shenzhen Bay Eco-Technology Park", "_csrf_token": csrf})
    assert saved.status_code == 303
    english = (await client.get(f"/facilities/{facility['id']}", headers=EN)).text
    assert "Address: Building 9, Shenzhen Bay Eco-Technology Park" in english and "Sound Engineering Centre" in english
    assert "深圳湾" not in english and "声音工程中心" not in english
    chinese = (await client.get(f"/facilities/{facility['id']}", headers={"accept-language": "zh-CN"})).text
    assert "地址：深圳湾科技生态园 9 栋" in chinese and "声音工程中心" in chinese and "Sound Engineering" not in chinese


async def test_members_cannot_reach_the_managers_catalogue_pages(client, member):
    facility = await create_facility()
    await sign_in(client, member.email)
    for path in ("/facilities/new", f"/facilities/{facility['id']}/edit", "/buildings", "/facilities/manage"):
        assert (await client.get(path, headers={"accept": "text/html"})).status_code == 403, path
