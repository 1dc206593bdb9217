"""A manager or a firm's administrator books on behalf of a member: the member is the booker."""

from datetime import timedelta

from park.bookings import status_changes
from park.bookings.tables import Booking
from park.notifications.tables import OutboxMessage
from tests import builders, support
from tests.builders import create_facility

from .test_api import book, weekday_at
from .test_service import actor_of


async def test_a_manager_booking_for_a_member_makes_the_member_the_booker_who_gets_the_mail_and_checks_in(
    client, manager, member, tenant
):
    facility = await create_facility()
    response = await book(client, manager, facility, weekday_at(10), tenant_id=tenant["id"], user_id=member.id)
    assert response.status_code == 201, response.text
    data = response.json()
    assert (data["user_id"], data["tenant_id"]) == (member.id, tenant["id"])
    mail = await OutboxMessage.select(OutboxMessage.to_email).where(OutboxMessage.kind == "booking.confirmed")
    assert [m["to_email"] for m in mail] == [member.email]
    checked_in = await status_changes.check_in(actor_of(member), data["id"], weekday_at(10) - timedelta(minutes=5))
    assert checked_in["status"] == "checked_in"


async def test_a_manager_naming_only_the_member_books_for_the_members_firm(client, manager, member, tenant):
    facility = await create_facility()
    response = await book(client, manager, facility, weekday_at(10), user_id=member.id)
    assert response.status_code == 201, response.text
    assert (response.json()["user_id"], response.json()["tenant_id"]) == (member.id, tenant["id"])


async def test_a_firm_administrator_books_for_a_member_of_the_firm(client, tenant_admin, member):
    facility = await create_facility()
    response = await book(client, tenant_admin, facility, weekday_at(10), user_id=member.id)
    assert response.status_code == 201, response.text
    assert response.json()["user_id"] == member.id


async def test_the_member_booked_for_must_belong_to_the_firm(client, manager, tenant_admin, member, rival, tenant):
    facility = await create_facility()
    for login, extra in ((tenant_admin, {}), (manager, {"tenant_id": tenant["id"]})):
        response = await book(client, login, facility, weekday_at(10), user_id=rival.id, **extra)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "user_id"
    unknown = await book(client, manager, facility, weekday_at(10), user_id=2**40)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "user_id"
    assert await Booking.count() == 0


async def test_a_member_cannot_book_for_someone_else(client, member, tenant):
    colleague = await builders.create_user("member", tenant["id"])
    facility = await create_facility()
    response = await book(client, member, facility, weekday_at(10), user_id=colleague.id)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert (await book(client, member, facility, weekday_at(10), user_id=member.id)).status_code == 201


async def test_a_manager_chooses_the_member_on_the_booking_page(client, manager, member, rival):
    from tests.accounts.test_pages import csrf_from, sign_in

    html = {"accept": "text/html"}
    facility = await create_facility()
    await sign_in(client, manager.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=html)
    assert f'<option value="{member.id}"' in form.text and f'<option value="{rival.id}"' in form.text
    starts_at = weekday_at(10)
    response = await client.post(
        f"/facilities/{facility['id']}/book",
        data={"starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (starts_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
              "seats": "1", "user_id": str(member.id), "action": "book", "_csrf_token": csrf_from(form.text)},
        headers=html,
    )
    assert response.status_code == 303, response.text
    booking = await Booking.select(Booking.user, Booking.tenant).first()
    assert (booking["user"], booking["tenant"]) == (member.id, member.tenant_id)


async def test_a_firm_administrator_chooses_among_the_firms_members_only(client, tenant_admin, member, rival):
    from tests.accounts.test_pages import sign_in

    facility = await create_facility()
    await sign_in(client, tenant_admin.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers={"accept": "text/html"})
    assert f'<option value="{member.id}"' in form.text and f'<option value="{rival.id}"' not in form.text


async def test_a_member_is_offered_no_choice_of_booker(client, member):
    from tests.accounts.test_pages import sign_in

    facility = await create_facility()
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers={"accept": "text/html"})
    assert 'name="user_id"' not in form.text
