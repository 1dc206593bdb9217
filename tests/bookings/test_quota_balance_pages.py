"""A firm's quota balance by facility kind for this month: on /my-firm, the manager's view of the firm, the booking form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from park.shared.clock import utc_now
from tests.accounts.test_pages import sign_in
from tests.builders import SHANGHAI, create_booking, create_facility

EN = {"accept-language": "en"}


def _month_start() -> datetime:
    """10:00 on the first of the park's current month."""
    local = utc_now().astimezone(SHANGHAI)
    return datetime(local.year, local.month, 1, 10, tzinfo=SHANGHAI)


def _row(text: str, kind_label: str) -> str:
    match = re.search(rf"<tr>\s*<td data-label=\"Kind\">{kind_label}</td>(.*?)</tr>", text, re.S)
    assert match, kind_label
    return re.sub(r"<[^>]+>", " ", match.group(1))


async def test_the_firm_sees_hours_held_and_left_by_kind_this_month(client, member, tenant, manager):
    room = await create_facility(kind="meeting_room")
    lab = await create_facility(kind="lab")
    start = _month_start()
    await create_booking(room["id"], tenant["id"], member.id, start, start + timedelta(hours=3))
    await create_booking(lab["id"], tenant["id"], member.id, start, start + timedelta(hours=2), status="cancelled")
    await sign_in(client, member.email)
    mine = await client.get("/my-firm", headers=EN)
    assert mine.status_code == 200
    assert "Booking hours this month" in mine.text
    assert " ".join(_row(mine.text, "Meeting room").split()) == "20 h 3 h 17 h"
    assert " ".join(_row(mine.text, "Lab").split()) == "40 h 0 h 40 h"  # a cancelled booking holds nothing
    form = await client.get(f"/facilities/{room['id']}/book", headers=EN)
    assert "Your firm has 17 of 20 hours left for Meeting room this month" in form.text
    chinese = await client.get("/my-firm", headers={"accept-language": "zh-CN"})
    assert "本月预约时长" in chinese.text

    await sign_in(client, manager.email)
    view = await client.get(f"/tenants/{tenant['id']}", headers=EN)
    assert " ".join(_row(view.text, "Meeting room").split()) == "20 h 3 h 17 h"
