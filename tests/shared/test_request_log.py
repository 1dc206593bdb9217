"""The request log: one line per request that names the route, never a secret in the path."""

import json
import logging

from park.accounts.service import user_out


async def test_a_calendar_feed_request_logs_the_route_and_not_the_feed_token(client, member, caplog):
    token = (await user_out(member.id))["calendar_token"]
    with caplog.at_level(logging.INFO, logger="park.request"):
        response = await client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "park.request"]
    assert lines, "the request was not logged"
    assert token not in caplog.text
    assert lines[-1]["route"] == "/calendar/{name}"
    assert lines[-1]["status"] == 200
