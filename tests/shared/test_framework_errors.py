"""The framework's validation words become catalogue messages, the field path kept, in the reader's language."""

from __future__ import annotations

import re

import pytest

from park.shared.framework_errors import NOT_VALID, field_error, field_errors
from park.shared.i18n import catalog, translate

HAN = re.compile(r"[\u3400-\u9fff]")

CASES = [
    # (framework's words, field path kept, English said)
    ("Expected `int`, got `str` - at `$.seats`", "seats", "Expected a whole number, got text."),
    ("Expected `array`, got `object` - at `$.preferred_building_ids`", "preferred_building_ids", "Expected a list, got an object."),
    ("Object missing required field `ends_at`", "ends_at", "This field is required."),
    ("Object missing required field `day` - at `$.opening_hours[2]`", "opening_hours[2].day", "This field is required."),
    ("Object contains unknown field `colour`", "colour", "This field is not known here."),
    ("Expected `str` of length <= 500 - at `$.purpose`", "purpose", "At most 500 characters."),
    ("Expected `array` of length >= 1 - at `$.items`", "items", "At least 1 items."),
    ("Expected `int` >= 1 - at `$.seats`", "seats", "Must be at least 1."),
    ("Expected `float` > 0.0 - at `$.area_m2`", "area_m2", "Must be more than 0."),
    ("Invalid RFC3339 encoded datetime - at `$.starts_at`", "starts_at", "Use an RFC 3339 time with offset, e.g. 2026-11-24T09:00:00+08:00."),
    ("Invalid RFC3339 encoded date - at `$.start_date`", "start_date", "Use a date like 2026-11-24."),
    ("Invalid enum value 'boat' - at `$.kind`", "kind", "'boat' is not one of the allowed values."),
    ("Input data was truncated", "body", "The request body could not be read as the expected JSON."),
    ("Missing required query parameter 'from' for path /api/v1/availability", "from", "This parameter is required."),
    ("Something no pattern knows", "body", NOT_VALID),
]


@pytest.mark.parametrize(("raw", "field", "english"), CASES)
def test_each_known_framework_message_is_a_catalogue_message_in_both_languages(raw, field, english):
    said = field_error(raw, None)
    assert said.field == field
    assert translate("en", said.message, **said.params) == english
    assert said.message in catalog("zh_Hans"), said.message
    chinese = translate("zh_Hans", said.message, **said.params)
    assert HAN.search(chinese) and not re.search(r"\b(Expected|field|characters|Must|Use a)\b", chinese)


def test_litestar_keys_name_the_field_and_an_empty_extra_reads_as_an_unreadable_body():
    errors = field_errors([{"message": "Expected `int`, got `str`", "key": "limit", "source": "query"}])
    assert [(e.field, e.message) for e in errors] == [("limit", "Expected %(expected)s, got %(got)s.")]
    assert [e.field for e in field_errors(None)] == ["body"]


async def test_a_bad_api_request_is_refused_in_the_readers_language_with_the_field_named(client, member):
    body = {"facility_id": "x", "starts_at": "2026-12-08T10:00:00+08:00", "ends_at": "2026-12-08T11:00:00+08:00"}
    for language, expected in (("en", "Expected a whole number, got text."), ("zh-CN", "应为整数，实际为文本。")):
        response = await client.post("/api/v1/bookings", json=body, headers={**member.headers, "Accept-Language": language})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "facility_id", "message": expected}]
    truncated = await client.post("/api/v1/bookings", content=b'{"facility_id":',
                                  headers={**member.headers, "Accept-Language": "zh-CN", "content-type": "application/json"})
    assert truncated.status_code == 400
    assert not re.search(r"[A-Za-z]{4,}", truncated.json()["detail"].replace("JSON", ""))
