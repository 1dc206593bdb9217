"""Read-mostly answers carry an ETag and Cache-Control; a revalidation that matches gets 304 and no body."""

from __future__ import annotations

from datetime import timedelta

from park.shared.http_cache import none_match
from tests.accounts.test_pages import sign_in
from tests.builders import create_booking, create_facility, local


async def test_anonymous_availability_is_public_and_revalidates_to_304(client, tenant, member):
    room = await create_facility(name="路演厅", name_en="Pitch room")
    url = f"/api/v1/facilities/{room['id']}/availability?from=2026-12-07T00:00:00%2B08:00"
    first = await client.get(url)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=10"
    etag = first.headers["etag"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # A booking changes the answer: the old ETag no longer matches.
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 12, 7, 10), local(2026, 12, 7, 11))
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["slots"] != first.json()["slots"]


async def test_an_answer_for_a_signed_in_reader_is_private(client, member):
    room = await create_facility()
    url = f"/api/v1/facilities/{room['id']}"
    answer = await client.get(url, headers=member.headers)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, no-cache"
    assert (await client.get(url, headers={**member.headers, "If-None-Match": answer.headers["etag"]})).status_code == 304
    await sign_in(client, member.email)
    page = await client.get("/facilities")
    assert page.status_code == 200
    assert page.headers["cache-control"].startswith("private")


async def test_the_anonymous_catalogue_pages_are_cacheable(client):
    room = await create_facility(name="路演厅", name_en="Pitch room")
    first = await client.get("/")
    # The first visit sets the CSRF cookie: that answer is for this browser only.
    assert "set-cookie" in first.headers and first.headers["cache-control"] == "private, no-cache"
    for url in ("/", "/facilities", f"/facilities/{room['id']}"):
        page = await client.get(url, headers={"Accept-Language": "en"})
        assert page.status_code == 200, url
        assert page.headers["cache-control"].startswith("public, max-age="), url
        assert "Accept-Language" in page.headers["vary"]
        repeat = await client.get(url, headers={"Accept-Language": "en", "If-None-Match": page.headers["etag"]})
        assert repeat.status_code == 304, url


async def test_errors_and_writes_carry_no_etag(client):
    missing = await client.get("/api/v1/facilities/999999/availability")
    assert missing.status_code == 404
    assert "etag" not in missing.headers


def test_if_none_match_lists_and_weak_tags_are_understood():
    assert none_match(b'"a", W/"b"', b'"b"')
    assert none_match(b"*", b'"x"')
    assert not none_match(b'"a"', b'"b"')
