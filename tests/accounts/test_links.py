"""Password reset and invitations by mail: single-use links through the outbox, only hashes stored."""

import asyncio
import re
from datetime import timedelta

import pytest

from park.accounts import links
from park.accounts.tables import Invitation, PasswordReset, User
from park.notifications.tables import OutboxMessage
from park.shared.clock import utc_now
from tests.accounts.test_pages import csrf_from
from tests.builders import TEST_PASSWORD

NEW_PASSWORD = "a-fresh-secret-42"


async def _mails_to(email: str) -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.to_email == email).order_by(OutboxMessage.id)


def _token_in(body: str, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+{path}/([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


async def _reset_token(client, email: str) -> str:
    assert (await client.post("/api/v1/auth/password-reset", json={"email": email})).status_code == 202
    return _token_in((await _mails_to(email))[-1]["body"], "/password-reset")


async def test_a_reset_link_is_mailed_and_sets_the_password_once(client, member):
    token = await _reset_token(client, member.email)
    assert not await PasswordReset.exists().where(PasswordReset.token_hash == token)
    done = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert (await client.post("/api/v1/auth/token", json={"email": member.email, "password": NEW_PASSWORD})).status_code == 200
    assert (await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})).status_code == 401
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401  # old tokens ended
    again = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "yet-another-secret-7"})
    assert again.status_code == 422
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["errors"][0]["field"] == "token"


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, member):
    known = await client.post("/api/v1/auth/password-reset", json={"email": member.email})
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "nobody@firm.test"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, {"status": "accepted"})
    malformed = await client.post("/api/v1/auth/password-reset", json={"email": "not an address"})
    assert (malformed.status_code, malformed.json()) == (202, {"status": "accepted"})
    assert await _mails_to("nobody@firm.test") == []
    assert len(await _mails_to(member.email)) == 1
    assert await OutboxMessage.count() == 1


async def test_an_expired_reset_link_is_refused(client, settings, member):
    await links.request_password_reset(settings, member.email, "10.0.0.9", utc_now() - timedelta(minutes=61))
    token = _token_in((await _mails_to(member.email))[-1]["body"], "/password-reset")
    expired = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert expired.status_code == 422


async def test_a_newer_reset_link_replaces_the_older_and_a_weak_password_keeps_the_link(client, member):
    first = await _reset_token(client, member.email)
    second = await _reset_token(client, member.email)
    assert (await client.post("/api/v1/auth/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD})).status_code == 422
    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": second, "password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    assert (await client.post("/api/v1/auth/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD})).status_code == 200


async def test_reset_mail_is_in_the_users_language(client, member):
    await User.update({User.locale: "en"}).where(User.id == member.id)
    await client.post("/api/v1/auth/password-reset", json={"email": member.email})
    english = (await _mails_to(member.email))[-1]
    assert english["subject"] == "Set a new Park password" and "60 minutes" in english["body"]
    await User.update({User.locale: "zh_Hans"}).where(User.id == member.id)
    await client.post("/api/v1/auth/password-reset", json={"email": member.email})
    chinese = (await _mails_to(member.email))[-1]
    assert "密码" in chinese["subject"] and "Park password" not in chinese["body"]


async def test_asking_for_reset_links_is_throttled_like_sign_in(client, settings, member):
    answers = [(await client.post("/api/v1/auth/password-reset", json={"email": member.email})).status_code
               for _ in range(settings.login_max_failures + 1)]
    assert answers[:-1] == [202] * settings.login_max_failures
    assert answers[-1] == 429
    assert len(await _mails_to(member.email)) == settings.login_max_failures


async def test_two_uses_of_one_link_at_once_set_one_password(client, member):
    token = await _reset_token(client, member.email)
    answers = await asyncio.gather(*[
        client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": f"parallel-secret-{n}x"})
        for n in range(2)
    ])
    assert sorted(answer.status_code for answer in answers) == [200, 422]


async def _invite(client, login, **body):
    return await client.post("/api/v1/invitations", headers=login.headers, json={"role": "member", **body})


async def test_a_tenant_admin_invites_a_colleague_who_sets_name_and_password_once(client, tenant, tenant_admin):
    sent = await _invite(client, tenant_admin, email="New.Colleague@firm.test", name="New colleague")
    assert sent.status_code == 202
    mail = (await _mails_to("new.colleague@firm.test"))[-1]
    token = _token_in(mail["body"], "/invitation")
    assert "72" in mail["body"]
    assert not await Invitation.exists().where(Invitation.token_hash == token)
    accepted = await client.post("/api/v1/invitations/accept", json={"token": token, "name": "Ada Chen", "password": NEW_PASSWORD})
    assert accepted.status_code == 200
    assert accepted.json() | {"id": 0} == {"id": 0, "email": "new.colleague@firm.test", "name": "Ada Chen", "role": "member",
                                           "tenant_id": tenant["id"], "is_active": True}
    signed_in = await client.post("/api/v1/auth/token", json={"email": "new.colleague@firm.test", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200
    twice = await client.post("/api/v1/invitations/accept", json={"token": token, "password": "another-secret-8"})
    assert twice.status_code == 422


async def test_an_expired_invitation_is_refused(client, settings, tenant, tenant_admin):
    from tests.builders import Login  # noqa: F401

    actor = (await client.get("/api/v1/me", headers=tenant_admin.headers)).json()
    from park.shared.actor import Actor

    inviter = Actor(id=actor["id"], email=actor["email"], name=actor["name"], role="tenant_admin", tenant_id=tenant["id"])
    await links.invite_user(settings, inviter, email="late@firm.test", name="", role="member", tenant_id=tenant["id"],
                            locale=None, now=utc_now() - timedelta(hours=72, seconds=1))
    token = _token_in((await _mails_to("late@firm.test"))[-1]["body"], "/invitation")
    refused = await client.post("/api/v1/invitations/accept", json={"token": token, "name": "Late", "password": NEW_PASSWORD})
    assert refused.status_code == 422
    assert not await User.exists().where(User.email == "late@firm.test")


async def test_an_invitation_to_a_taken_address_answers_a_tenant_admin_as_any_other(client, tenant_admin, rival, manager):
    fresh = await _invite(client, tenant_admin, email="someone-new@firm.test")
    for taken in (rival.email, manager.email):
        answer = await _invite(client, tenant_admin, email=taken)
        assert answer.status_code == fresh.status_code == 202
        assert sorted(answer.json()) == sorted(fresh.json())
        note = (await _mails_to(taken))[-1]
        assert "/invitation/" not in note["body"] and "/login" in note["body"]
    plainly = await _invite(client, manager, email=rival.email, tenant_id=rival.tenant_id)
    assert plainly.status_code == 409 and plainly.json()["user_id"] == rival.id


async def test_a_tenant_admin_cannot_invite_into_another_firm_or_make_staff(client, tenant_admin, other_tenant):
    assert (await _invite(client, tenant_admin, email="x1@firm.test", tenant_id=other_tenant["id"])).status_code == 404
    assert (await _invite(client, tenant_admin, email="x2@firm.test", role="manager")).status_code in (403, 422)


async def test_a_member_cannot_invite(client, member):
    assert (await _invite(client, member, email="x3@firm.test")).status_code == 403
