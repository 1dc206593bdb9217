"""The facility form's opening hours on the page: time pickers on the slot grid, a range added or removed
without JavaScript, and a refused row shown under itself in the reader's language with what was typed."""

from __future__ import annotations

import re

from park.facilities import queries
from park.facilities.model import facility_to_form
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_facility

EN = {"accept-language": "en"}
ZH = {"accept-language": "zh-CN"}


async def edit_form(client, facility_id: int) -> dict[str, str]:
    page = await client.get(f"/facilities/{facility_id}/edit", headers=EN)
    assert page.status_code == 200
    return facility_to_form(await queries.get_facility(facility_id)) | {"_csrf_token": csrf_from(page.text)}


def time_input(html: str, name: str) -> str:
    match = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    return match.group(0)


async def test_each_range_is_two_time_pickers_stepping_by_the_slot(client, manager):
    facility = await create_facility(slot_minutes=15)
    await sign_in(client, manager.email)
    page = await client.get(f"/facilities/{facility['id']}/edit", headers=EN)
    start = time_input(page.text, "hours_mon_0_start")
    assert 'type="time"' in start and 'step="900"' in start and 'value="09:00"' in start
    assert 'value="18:00"' in time_input(page.text, "hours_mon_0_end")
    assert 'name="hours_sat_0_start"' in page.text  # a closed day offers one empty range
    assert 'name="hours_add" value="sat"' in page.text and 'name="hours_remove" value="mon_0"' in page.text


async def test_add_a_range_without_javascript_shows_the_form_again_with_one_more_row_and_saves_nothing(client, manager):
    facility = await create_facility(name="原名")
    before = await queries.get_facility(facility["id"])
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    answer = await client.post(f"/facilities/{facility['id']}/edit", headers=EN,
                               data=form | {"name": "打了一半", "hours_add": "mon"})
    assert answer.status_code == 200
    assert 'value="打了一半"' in answer.text  # what was typed stays
    assert 'value=""' in time_input(answer.text, "hours_mon_1_start")
    assert 'value="09:00"' in time_input(answer.text, "hours_mon_0_start")
    assert await queries.get_facility(facility["id"]) == before


async def test_remove_without_javascript_drops_the_row_and_saving_then_closes_the_day(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    answer = await client.post(f"/facilities/{facility['id']}/edit", headers=EN, data=form | {"hours_remove": "tue_0"})
    assert answer.status_code == 200
    assert 'value=""' in time_input(answer.text, "hours_tue_0_start")
    form = form | {"hours_tue_0_start": "", "hours_tue_0_end": ""}
    saved = await client.post(f"/facilities/{facility['id']}/edit", headers=EN, data=form)
    assert saved.status_code == 303
    row = await queries.get_facility(facility["id"])
    assert row["opening_hours"]["tue"] == [] and row["opening_hours"]["mon"] == [["09:00", "18:00"]]


async def test_a_second_range_and_one_to_midnight_are_saved(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    saved = await client.post(f"/facilities/{facility['id']}/edit", headers=EN, data=form | {
        "hours_mon_0_end": "12:00", "hours_mon_1_start": "13:30", "hours_mon_1_end": "18:00",
        "hours_sat_0_start": "18:00", "hours_sat_0_end": "00:00"})
    assert saved.status_code == 303
    row = await queries.get_facility(facility["id"])
    assert row["opening_hours"]["mon"] == [["09:00", "12:00"], ["13:30", "18:00"]]
    assert row["opening_hours"]["sat"] == [["18:00", "24:00"]]
    page = await client.get(f"/facilities/{facility['id']}/edit", headers=EN)
    assert 'value="00:00"' in time_input(page.text, "hours_sat_0_end")


async def test_a_time_off_the_slot_grid_is_refused_in_chinese_under_its_row_and_changes_nothing(client, manager):
    facility = await create_facility(slot_minutes=30)
    before = await queries.get_facility(facility["id"])
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    answer = await client.post(f"/facilities/{facility['id']}/edit", headers=ZH,
                               data=form | {"hours_wed_0_start": "09:10"})
    assert answer.status_code == 422
    assert "09:10 不在 30 分钟的时段格上，请改用 09:00 或 09:30。" in answer.text
    assert answer.text.index('id="e-hours_wed_0"') > answer.text.index('name="hours_wed_0_start"')
    assert 'aria-invalid="true"' in time_input(answer.text, "hours_wed_0_start")
    assert 'value="09:10"' in time_input(answer.text, "hours_wed_0_start")
    assert await queries.get_facility(facility["id"]) == before


async def test_overlapping_ranges_and_half_a_range_are_refused_each_under_its_row(client, manager):
    facility = await create_facility()
    before = await queries.get_facility(facility["id"])
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    answer = await client.post(f"/facilities/{facility['id']}/edit", headers=EN, data=form | {
        "hours_thu_1_start": "17:00", "hours_thu_1_end": "20:00", "hours_fri_1_start": "19:00"})
    assert answer.status_code == 422
    thu = re.search(r'<p class="field-error" id="e-hours_thu_1">([^<]*)</p>', answer.text)
    fri = re.search(r'<p class="field-error" id="e-hours_fri_1">([^<]*)</p>', answer.text)
    assert thu and "09:00–18:00 and 17:00–20:00 overlap" in thu.group(1)
    assert fri and "Give both the opening and the closing time" in fri.group(1)
    assert await queries.get_facility(facility["id"]) == before


async def test_a_new_slot_puts_the_hours_on_its_grid(client, manager):
    facility = await create_facility(opening_hours={"mon": [["09:30", "18:00"]]})
    before = await queries.get_facility(facility["id"])
    await sign_in(client, manager.email)
    form = await edit_form(client, facility["id"])
    answer = await client.post(f"/facilities/{facility['id']}/edit", headers=EN,
                               data=form | {"slot_minutes": "60", "min_duration_minutes": "60"})
    assert answer.status_code == 422 and "09:30 is off the 60-minute slot grid; use 09:00 or 10:00" in answer.text
    assert 'step="3600"' in time_input(answer.text, "hours_mon_0_start")
    assert await queries.get_facility(facility["id"]) == before
