"""A bounded, seeded schemathesis run over the OpenAPI document, as a manager and as a member.

Every operation of the document gets a few generated requests (valid and invalid ones) against
a real server on this run's database. Checked: no 5xx, the answer matches the documented
status, media type and schema, and every error is problem details with a contract code.
Derandomized (the seed is fixed by the operation), with few examples per operation, so it runs
the same way each time and stays within about a minute and a half per database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from park.app import create_app
from park.shared.openapi import PROBLEM_MEDIA_TYPE
from tests.builders import create_tenant, create_user
from tests.support import live_server

EXAMPLES_PER_OPERATION = 4
PROBLEM_CODES = {"validation", "unauthorized", "forbidden", "not_found", "conflict", "quota_exceeded",
                 "rate_limited", "unavailable"}

schema = schemathesis.openapi.from_dict(create_app().openapi_schema.to_schema())
schema = (
    schema.exclude(path_regex=r"^/healthz$")  # its 503 is the database's state, tested in tests/test_app.py
    # These end or change the fuzzing users' own credentials (revoke their token, change their
    # password, deactivate or demote them), which would turn every later request into a 401.
    # tests/accounts covers them.
    .exclude(method="DELETE", path="/api/v1/auth/tokens/{token_id}")
    .exclude(method="POST", path="/api/v1/me/password")
    .exclude(method="PATCH", path="/api/v1/users/{user_id}")
)


def errors_are_problem_details(ctx, response, case) -> None:
    """Every 4xx and 5xx is RFC 9457 problem details with one of the contract's codes."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith(PROBLEM_MEDIA_TYPE), f"{response.status_code} answered as {content_type!r}"
    body = json.loads(response.content)
    assert body["status"] == response.status_code
    assert body["code"] in PROBLEM_CODES, body
    assert body["title"] and body["detail"]
    if body["code"] == "validation":
        assert isinstance(body.get("errors"), list) and body["errors"], body


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, str]]:
    """A live server and bearer headers for a manager and a member of a firm."""

    async def users() -> dict[str, dict[str, str]]:
        tenant = await create_tenant()
        manager = await create_user("manager")
        member = await create_user("member", tenant["id"])
        return {"manager": manager.headers, "member": member.headers}

    headers = asyncio.run(users())
    with live_server() as base_url:
        yield {"base_url": base_url, **{role: json.dumps(value) for role, value in headers.items()}}


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _fuzz(case, server, http, role: str) -> None:
    headers = json.loads(server[role])
    case.call_and_validate(base_url=server["base_url"], session=http, headers=headers, checks=CHECKS,
                           additional_checks=[errors_are_problem_details], timeout=30)


# One generated request is sent as each role: generating is the costly part, so both share it.


_bounded = hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)


@schema.parametrize()
@_bounded
def test_the_api_answers_every_generated_request_as_documented_to_a_manager_and_a_member(case, server, http):
    _fuzz(case, server, http, "manager")
    _fuzz(case, server, http, "member")
