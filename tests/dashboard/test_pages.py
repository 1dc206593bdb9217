"""The manager's dashboard: what it shows, who may see it, deciding approvals with and without htmx."""

from datetime import date, timedelta

from park.shared.clock import utc_now
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_lease, create_unit
from tests.builders import create_building, create_facility
from tests.builders import create_booking as store_booking


async def pending_booking(tenant, member, **overrides):
    building = await create_building()
    facility = await create_facility(building["id"], name="光学动作捕捉系统", name_en="Optical Motion-Capture System",
                                     requires_approval=True)
    starts_at = utc_now() + timedelta(days=2)
    booking = await store_booking(facility["id"], tenant["id"], member.id, starts_at, status="pending")
    return building, booking


async def test_a_manager_sees_pending_approvals_and_vacant_space_on_the_dashboard(client, manager, member, tenant):
    building, booking = await pending_booking(tenant, member)
    await create_unit(building["id"], kind="office", area_m2=210.0)
    leased = await create_unit(building["id"], kind="office", area_m2=90.0)
    await create_lease(leased["id"], tenant["id"], date(2020, 1, 1), date(2099, 1, 1))
    await sign_in(client, manager.email)
    response = await client.get("/dashboard", headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.text
    assert "Optical Motion-Capture System" in html
    assert f'id="approval-{booking["id"]}"' in html
    assert "vacant units, 210 m²" in html
    assert "No report has been produced yet." in html
    assert "<svg" in html, "today's occupancy chart"


async def test_the_dashboard_speaks_chinese_by_default(client, manager):
    await sign_in(client, manager.email)
    response = await client.get("/dashboard")
    assert 'lang="zh-Hans"' in response.text
    assert "待审批" in response.text


async def test_a_tenant_member_may_not_open_the_dashboard(client, member):
    await sign_in(client, member.email)
    response = await client.get("/dashboard", headers={"accept": "text/html"})
    assert response.status_code == 403


async def test_approving_with_a_plain_form_confirms_the_booking_and_returns_to_the_dashboard(client, manager, member, tenant):
    _, booking = await pending_booking(tenant, member)
    await sign_in(client, manager.email)
    page = await client.get("/dashboard")
    response = await client.post(f"/dashboard/approvals/{booking['id']}/approve", data={"_csrf_token": csrf_from(page.text)},
                                 headers={"accept-language": "en"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard")
    from park.bookings.tables import Booking

    assert (await Booking.select(Booking.status).where(Booking.id == booking["id"]).first())["status"] == "confirmed"
    after = await client.get("/dashboard", headers={"accept-language": "en"})
    assert "Approved: Optical Motion-Capture System for Test Firm" in after.text, "named by facility, firm and time"
    assert f"Booking {booking['id']}" not in after.text
    assert f'id="approval-{booking["id"]}"' not in after.text


async def test_rejecting_through_htmx_answers_only_the_decided_row(client, manager, member, tenant):
    _, booking = await pending_booking(tenant, member)
    await sign_in(client, manager.email)
    page = await client.get("/dashboard")
    response = await client.post(
        f"/dashboard/approvals/{booking['id']}/reject",
        data={"_csrf_token": csrf_from(page.text), "reason": "The stage is being serviced."},
        headers={"hx-request": "true", "accept-language": "en"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="approval-{booking["id"]}"')
    assert "<html" not in response.text
    assert "Rejected" in response.text


async def test_deciding_a_booking_twice_is_refused_with_a_page_that_says_why(client, manager, member, tenant):
    _, booking = await pending_booking(tenant, member)
    await sign_in(client, manager.email)
    page = await client.get("/dashboard")
    token = csrf_from(page.text)
    await client.post(f"/dashboard/approvals/{booking['id']}/approve", data={"_csrf_token": token})
    again = await client.post(f"/dashboard/approvals/{booking['id']}/approve", data={"_csrf_token": token},
                              headers={"accept": "text/html"})
    assert again.status_code == 409
    assert "<h1>" in again.text
    # The service's detail is said in the page's language, its status too.
    assert "Only pending bookings" not in again.text
    assert "只有待审批的预订可以审批；此预订的状态为“已确认”。" in again.text
