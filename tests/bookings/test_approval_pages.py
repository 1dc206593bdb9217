"""The approval queue: decisions named by facility, firm and time; counts in the header that change in place;
overdue and soon-starting requests flagged first; several decided at once, each on its own."""

from datetime import timedelta

from park.bookings.tables import Booking
from park.notifications.tables import OutboxMessage
from park.shared.clock import utc_now
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_booking, create_facility

HTML = {"accept": "text/html"}
EN = {"accept": "text/html", "accept-language": "en"}
HTMX = {"hx-request": "true", "accept-language": "en"}


async def pending(tenant, member, *, hours_ahead: float = 72, name: str = "录音棚", name_en: str = "Recording Studio"):
    facility = await create_facility(name=name, name_en=name_en, requires_approval=True)
    return await create_booking(facility["id"], tenant["id"], member.id, utc_now() + timedelta(hours=hours_ahead), status="pending")


async def status_of(booking) -> str:
    return (await Booking.select(Booking.status).where(Booking.id == booking["id"]).first())["status"]


async def open_queue(client, manager, headers=EN):
    await sign_in(client, manager.email)
    queue = await client.get("/approvals", headers=headers)
    assert queue.status_code == 200
    return queue


def nav_count(html: str) -> str:
    """The number next to the header's Approvals link."""
    start = html.index('id="nav-count-approvals"')
    return html[html.index("</span>", start) + len("</span>"):html.index("</span>", html.index("</span>", start) + 1)].strip()


async def test_the_header_counts_what_waits_and_the_queue_flags_overdue_and_soon_requests_first(client, manager, member, tenant):
    later = await pending(tenant, member, hours_ahead=96, name="大会议室", name_en="Large Room")
    soon = await pending(tenant, member, hours_ahead=3, name="小会议室", name_en="Small Room")
    overdue = await pending(tenant, member, hours_ahead=-0.25, name="录音棚", name_en="Recording Studio")
    html = (await open_queue(client, manager)).text
    assert nav_count(html) == "3"
    assert 'id="menu-count-booking"' in html, "the Booking menu shows the sum too"
    assert 'id="menu-count-all"' in html, "and the phone's menu button"
    order = [html.index(f'id="approval-{row["id"]}"') for row in (overdue, soon, later)]
    assert order == sorted(order), "overdue first, then starting soon, then the rest"
    overdue_row = html[order[0]:order[1]]
    assert "Overdue" in overdue_row and "it can only be rejected now" in overdue_row
    assert f'value="approve:{overdue["id"]}"' not in overdue_row, "an overdue request cannot be approved"
    soon_row = html[order[1]:order[2]]
    assert "Starts soon" in soon_row and "within 24 hours" in soon_row
    assert "Overdue" not in html[order[2]:] and "Starts soon" not in html[order[2]:]
    chinese = (await client.get("/approvals", headers=HTML)).text
    assert "已逾期" in chinese and "即将开始" in chinese and "Overdue" not in chinese


async def test_a_manager_approves_several_at_once_and_the_page_names_each_one(client, manager, member, tenant):
    first = await pending(tenant, member, name="录音棚", name_en="Recording Studio")
    second = await pending(tenant, member, name="大会议室", name_en="Large Room")
    left = await pending(tenant, member, name="小会议室", name_en="Small Room")
    queue = await open_queue(client, manager)
    response = await client.post("/approvals/decide", headers=HTMX, data={
        "_csrf_token": csrf_from(queue.text), "booking": [str(first["id"]), str(second["id"])], "action": "approve"})
    assert response.status_code == 200
    assert await status_of(first) == await status_of(second) == "confirmed" and await status_of(left) == "pending"
    html = response.text
    assert "Approved: Recording Studio for Test Firm" in html and "Approved: Large Room for Test Firm" in html
    assert f"booking {first['id']}" not in html.lower()
    assert f'id="approval-{left["id"]}"' in html and f'id="approval-{first["id"]}"' not in html
    # The header's counts change in place: out-of-band elements with the new numbers.
    assert 'id="nav-count-approvals" hx-swap-oob="true"' in html and nav_count(html) == "1"
    assert 'id="menu-count-booking" hx-swap-oob="true"' in html and 'id="menu-count-all" hx-swap-oob="true"' in html
    assert "<html" not in html, "a fragment, not a page"


async def test_without_javascript_several_are_rejected_with_reasons_that_reach_the_firm(client, manager, member, tenant):
    first = await pending(tenant, member)
    second = await pending(tenant, member, name="大会议室", name_en="Large Room")
    queue = await open_queue(client, manager, HTML)
    mails = await OutboxMessage.count()
    response = await client.post("/approvals/decide", headers=HTML, data={
        "_csrf_token": csrf_from(queue.text), "booking": [str(first["id"]), str(second["id"])], "action": "reject",
        "reason": "园区活动占用", f"reason_{second['id']}": "设备检修"})
    assert response.status_code == 303 and response.headers["location"] == "/approvals"
    assert await status_of(first) == await status_of(second) == "rejected"
    reasons = {row["id"]: row["status_reason"] for row in await Booking.select(Booking.id, Booking.status_reason)}
    assert reasons[first["id"]] == "园区活动占用" and reasons[second["id"]] == "设备检修", "a row's own reason wins"
    bodies = " ".join(row["body"] for row in await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.kind == "booking.rejected"))
    assert await OutboxMessage.count() > mails and "园区活动占用" in bodies and "设备检修" in bodies
    after = (await client.get("/approvals", headers=HTML)).text
    assert "已驳回：" in after and "录音棚" in after and "大会议室" in after
    assert 'id="nav-count-approvals" hidden' in after, "nothing waits any more"


async def test_one_row_button_decides_only_its_row(client, manager, member, tenant):
    mine = await pending(tenant, member)
    other = await pending(tenant, member, name="大会议室", name_en="Large Room")
    queue = await open_queue(client, manager)
    # Ticked boxes do not matter when a row's own button is pressed.
    response = await client.post("/approvals/decide", headers=EN, data={
        "_csrf_token": csrf_from(queue.text), "booking": [str(other["id"])], "one": f"approve:{mine['id']}"})
    assert response.status_code == 303
    assert await status_of(mine) == "confirmed" and await status_of(other) == "pending"


async def test_one_refused_decision_leaves_the_others_and_says_why(client, manager, member, tenant):
    overdue = await pending(tenant, member, hours_ahead=-0.5)
    fine = await pending(tenant, member, name="大会议室", name_en="Large Room")
    queue = await open_queue(client, manager)
    response = await client.post("/approvals/decide", headers=HTMX, data={
        "_csrf_token": csrf_from(queue.text), "booking": [str(overdue["id"]), str(fine["id"]), "999999", "x", "-3"],
        "action": "approve"})
    assert response.status_code == 200
    assert await status_of(overdue) == "pending" and await status_of(fine) == "confirmed"
    html = response.text
    assert "Not decided: Recording Studio" in html and "already started" in html
    assert "There is no booking 999999" in html
    assert "Approved: Large Room" in html


async def test_nothing_ticked_or_a_made_up_verdict_changes_nothing(client, manager, member, tenant):
    booking = await pending(tenant, member)
    queue = await open_queue(client, manager)
    for data in ({"action": "approve"}, {"booking": str(booking["id"]), "action": "delete"},
                 {"one": f"destroy:{booking['id']}"}, {"one": "approve:abc"}):
        response = await client.post("/approvals/decide", headers=HTMX, data={"_csrf_token": csrf_from(queue.text), **data})
        assert response.status_code == 200 and "Tick the bookings to decide" in response.text
    assert await status_of(booking) == "pending"


async def test_only_managers_decide_and_members_see_no_counts(client, member, tenant_admin, tenant):
    booking = await pending(tenant, member)
    await sign_in(client, tenant_admin.email)
    home = await client.get("/bookings", headers=HTML)
    assert "nav-count-approvals" not in home.text
    response = await client.post("/approvals/decide", headers=HTML, data={
        "_csrf_token": csrf_from(home.text), "booking": str(booking["id"]), "action": "approve"})
    assert response.status_code == 403
    assert await status_of(booking) == "pending"


async def test_a_dashboard_decision_names_the_booking_and_updates_the_counts_in_place(client, manager, member, tenant):
    booking = await pending(tenant, member)
    await pending(tenant, member, name="大会议室", name_en="Large Room")
    await sign_in(client, manager.email)
    page = await client.get("/dashboard", headers=EN)
    response = await client.post(f"/dashboard/approvals/{booking['id']}/approve", headers=HTMX,
                                 data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    assert "Approved: Recording Studio for Test Firm" in response.text
    assert 'id="pending-total" hx-swap-oob="true">1<' in response.text
    assert 'id="nav-count-approvals" hx-swap-oob="true"' in response.text and nav_count(response.text) == "1"


async def test_every_page_re_reads_the_headers_counts_and_the_re_read_leaves_messages_for_the_next_page(client, manager, member, tenant):
    first = await pending(tenant, member)
    await pending(tenant, member, name="小会议室", name_en="Small Room")
    queue = await open_queue(client, manager)
    assert 'hx-get="/approvals/counts"' in (await client.get("/facilities", headers=EN)).text, "on a page with no live grid too"
    decided = await client.post("/approvals/decide", headers=EN, data={
        "_csrf_token": csrf_from(queue.text), "one": f"approve:{first['id']}"})
    assert decided.status_code == 303
    counts = await client.get("/approvals/counts", headers=HTMX | {"hx-target": "nav-counts-poll"})
    assert counts.status_code == 200 and counts.headers["cache-control"] == "no-store"
    assert 'id="nav-count-approvals" hx-swap-oob="true"' in counts.text and nav_count(counts.text) == "1"
    assert "<header" not in counts.text and "Approved" not in counts.text
    assert "Approved: Recording Studio" in (await client.get("/approvals", headers=EN)).text, "the message waited for the page"


async def test_members_have_no_counts_to_re_read(client, member):
    await sign_in(client, member.email)
    assert 'hx-get="/approvals/counts"' not in (await client.get("/facilities", headers=EN)).text
    assert (await client.get("/approvals/counts", headers=HTMX)).status_code == 403
