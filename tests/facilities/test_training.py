"""Asking for training: the managers are told once a day per user and facility, and see the open requests."""

from datetime import timedelta

from park.facilities import service
from park.facilities.tables import TrainingRequest
from park.notifications.tables import OutboxMessage
from park.shared.clock import utc_now
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import SHANGHAI, create_facility, create_user

EN = {"accept": "text/html", "accept-language": "en"}
ZH = {"accept": "text/html", "accept-language": "zh-CN"}


async def training_mails() -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.kind == "training.request").order_by(OutboxMessage.id)


async def ask_on_the_page(client, facility, headers=EN):
    form = await client.get(f"/facilities/{facility['id']}/book", headers=headers)
    response = await client.post(f"/facilities/{facility['id']}/training-request", headers=headers,
                                  data={"_csrf_token": csrf_from(form.text), "next": f"/facilities/{facility['id']}/book"})
    assert response.status_code == 303 and response.headers["location"] == f"/facilities/{facility['id']}/book"
    return await client.get(response.headers["location"], headers=headers)


async def test_asking_tells_every_manager_once_however_often_one_clicks(client, member, manager):
    admin = await create_user(role="admin", tenant_id=None, locale="en")
    lab = await create_facility(name="激光切割", name_en="Laser cutter", kind="equipment", requires_authorization=True)
    await sign_in(client, member.email)

    first = await ask_on_the_page(client, lab)

    assert "The park managers have been asked to train you" in first.text
    mails = await training_mails()
    assert sorted(m["to_email"] for m in mails) == sorted([manager.email, admin.email])
    english = next(m for m in mails if m["to_email"] == admin.email)
    assert "Laser cutter" in english["subject"] and member.email in english["body"]
    assert f"/facilities/{lab['id']}/authorizations" in english["body"]
    chinese = next(m for m in mails if m["to_email"] == manager.email)
    assert "培训申请" in chinese["subject"] and "激光切割" in chinese["subject"]
    # The panel now says that the reader asked.
    assert "You asked for training at" in first.text

    again = await ask_on_the_page(client, lab)

    assert "You asked today already" in again.text
    assert len(await training_mails()) == 2 and await TrainingRequest.count() == 1


async def test_the_next_day_the_managers_are_told_again_and_each_user_counts_apart(member, rival, manager):
    lab = await create_facility(requires_authorization=True)
    now = utc_now()
    from tests.bookings.test_service import actor_of

    asked = await service.ask_for_training(actor_of(member), lab["id"], now, SHANGHAI)
    later_today = await service.ask_for_training(actor_of(member), lab["id"], now + timedelta(minutes=5), SHANGHAI)
    other_user = await service.ask_for_training(actor_of(rival), lab["id"], now + timedelta(minutes=6), SHANGHAI)
    tomorrow = await service.ask_for_training(actor_of(member), lab["id"], now + timedelta(days=1), SHANGHAI)

    assert [asked["notified"], later_today["notified"], other_user["notified"], tomorrow["notified"]] == [True, False, True, True]
    assert tomorrow["id"] == asked["id"]  # still the one open request
    assert len(await training_mails()) == 3


async def test_managers_see_open_requests_and_recording_the_training_closes_them(client, member, manager, tenant):
    lab = await create_facility(name="激光切割", name_en="Laser cutter", requires_authorization=True)
    await sign_in(client, member.email)
    await ask_on_the_page(client, lab)
    await sign_in(client, manager.email)

    listed = await client.get(f"/facilities/{lab['id']}/authorizations", headers=EN)

    requests = listed.text.split("Asked for training")[1].split("</section>")[0]
    assert member.email in requests and tenant["name_en"] in requests and "Record training" in requests
    chinese = await client.get(f"/facilities/{lab['id']}/authorizations", headers=ZH)
    assert "培训申请" in chinese.text and tenant["name"] in chinese.text

    recorded = await client.post(f"/facilities/{lab['id']}/authorizations", headers=EN,
                                 data={"email": member.email, "_csrf_token": csrf_from(listed.text)})

    assert recorded.status_code == 303
    after = await client.get(f"/facilities/{lab['id']}/authorizations", headers=EN)
    assert "Nobody is waiting for training." in after.text
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{lab['id']}/book", headers=EN)
    assert "You are trained for this facility (no expiry)." in form.text and "Ask for training" not in form.text


async def test_a_member_does_not_see_the_requests(client, member):
    lab = await create_facility(requires_authorization=True)
    await sign_in(client, member.email)
    response = await client.get(f"/facilities/{lab['id']}/authorizations", headers=EN)
    assert response.status_code in (403, 404)


async def test_the_api_records_a_request_and_says_whether_the_managers_were_told(client, member, manager):
    lab = await create_facility(requires_authorization=True)
    path = f"/api/v1/facilities/{lab['id']}/training-requests"

    first = await client.post(path, headers=member.headers)
    second = await client.post(path, headers=member.headers)

    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["managers_notified"] is True and second.json()["managers_notified"] is False
    assert first.json()["id"] == second.json()["id"] and first.json()["facility_id"] == lab["id"]
    assert first.json()["user_id"] == member.id
    assert len(await training_mails()) == 1


async def test_bad_facilities_get_a_clear_problem_and_change_nothing(client, member, manager):
    open_room = await create_facility()
    gone = await create_facility(requires_authorization=True, is_active=False)
    trained_for = await create_facility(requires_authorization=True)
    from park.facilities.tables import Authorization
    await Authorization(facility=trained_for["id"], user=member.id).save()

    for facility_id, status in ((999_999, 404), (2**40, 404), (gone["id"], 404), (open_room["id"], 409), (trained_for["id"], 409)):
        response = await client.post(f"/api/v1/facilities/{facility_id}/training-requests",
                                     headers=member.headers | {"accept-language": "en"})
        assert response.status_code == status, (facility_id, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"]
    chinese = await client.post(f"/api/v1/facilities/{open_room['id']}/training-requests",
                                headers=member.headers | {"accept-language": "zh-CN"})
    assert chinese.json()["detail"] == "此设施无需培训：任何人都可以预订。"
    english = await client.post(f"/api/v1/facilities/{trained_for['id']}/training-requests",
                                headers=member.headers | {"accept-language": "en"})
    assert english.json()["detail"] == "You are already trained for this facility."
    unsigned = await client.post(f"/api/v1/facilities/{open_room['id']}/training-requests")
    assert unsigned.status_code == 401
    assert await TrainingRequest.count() == 0 and await training_mails() == []


async def test_on_the_page_a_facility_without_training_says_so_and_records_nothing(client, member, manager):
    open_room = await create_facility()
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{open_room['id']}/book", headers=ZH)

    refused = await client.post(f"/facilities/{open_room['id']}/training-request", headers=ZH,
                                data={"_csrf_token": csrf_from(form.text)})
    shown = await client.get(refused.headers["location"], headers=ZH)

    assert refused.status_code == 303 and "此设施无需培训" in shown.text
    missing = await client.post("/facilities/999999/training-request", headers=ZH, data={"_csrf_token": csrf_from(form.text)})
    assert missing.status_code == 404
    assert await TrainingRequest.count() == 0 and await training_mails() == []



async def test_clicks_at_the_same_moment_make_one_request_and_one_mail_per_manager(db):
    """Real concurrent requests against `park serve` with two worker processes."""
    import asyncio

    import httpx

    from tests import builders, support

    lab = await create_facility(requires_authorization=True)
    tenant = await builders.create_tenant()
    member = await builders.create_user("member", tenant["id"])
    await builders.create_user("manager")
    with support.live_server(workers=2) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            answers = await asyncio.gather(*(http.post(f"/api/v1/facilities/{lab['id']}/training-requests", headers=member.headers)
                                             for _ in range(8)))

    assert [answer.status_code for answer in answers] == [201] * 8
    assert sorted(answer.json()["managers_notified"] for answer in answers) == [False] * 7 + [True]
    assert await TrainingRequest.count() == 1 and len(await training_mails()) == 1


async def test_a_manager_sets_a_request_aside_and_a_wrong_one_is_not_found(client, member, manager):
    lab = await create_facility(requires_authorization=True)
    other = await create_facility(requires_authorization=True)
    await sign_in(client, member.email)
    await ask_on_the_page(client, lab)
    request_id = (await TrainingRequest.select(TrainingRequest.id).first())["id"]
    await sign_in(client, manager.email)
    listed = await client.get(f"/facilities/{lab['id']}/authorizations", headers=EN)
    token = csrf_from(listed.text)

    wrong = await client.post(f"/facilities/{other['id']}/training-requests/{request_id}/close", headers=EN, data={"_csrf_token": token})
    assert wrong.status_code == 404 and "There is no open training request" in wrong.text

    done = await client.post(f"/facilities/{lab['id']}/training-requests/{request_id}/close", headers=EN, data={"_csrf_token": token})
    assert done.status_code == 303
    assert "Nobody is waiting for training." in (await client.get(done.headers["location"], headers=EN)).text
    again = await client.post(f"/facilities/{lab['id']}/training-requests/{request_id}/close", headers=EN, data={"_csrf_token": token})
    assert again.status_code == 404
    await sign_in(client, member.email)
    member_tries = await client.post(f"/facilities/{lab['id']}/training-requests/{request_id}/close", headers=EN,
                                     data={"_csrf_token": csrf_from((await client.get(f"/facilities/{lab['id']}/book", headers=EN)).text)})
    assert member_tries.status_code in (403, 404)
