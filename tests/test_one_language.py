"""One language at a time: every page and every API problem in the reader's language only.

Each page route of the app is fetched as a manager and as a firm member, once with the user's
saved language English and once Chinese; the visible text of `<main>` (no tags, attribute
values, scripts or `<code>`) may hold no word of the other script, beyond the proper names of
this test's own records and a short list of names that have no translation. Then a few bad API
requests are sent in both languages and their problem details checked the same way.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import httpx
import pytest
from litestar.routes import HTTPRoute

from park.bookings.model import STATUSES as BOOKING_STATUSES
from tests import builders
from tests.builders import TEST_PASSWORD

NOT_PAGES = ("/api", "/schema", "/static", "/healthz", "/calendar", "/live")  # /live/events: a stream, not a page
NOT_HTML = ("/calendar.ics",)
MIN_PAGES = 38
"""The app has forty page routes (all but a snapshot's are filled here); a walk that reaches fewer has lost its way."""

NAMES_WITHOUT_TRANSLATION = {
    "Park", "API", "CSV", "XLSX", "iCalendar", "USCC", "TOML", "ICS", "URL", "HTTP", "JSON", "ID",
    "PDF", "CNY", "AM", "PM", "UTC", "GMT", "Bearer", "Shift", "Enter", "Home", "End", "Esc", "Token", "Accept-Language", "Idempotency-Key",
    "Excel", "Apple", "Google", "Outlook", "webcal", "GET", "POST", "RFC", "RRULE", "UNTIL", "COUNT",
    "Web",  # Outlook's own Chinese menu says "从 Web 订阅"
}
"""Proper names, formats and protocol words that read the same in both languages."""

LITERALS = {
    "park report run",  # the command line, the same in every language
    # Values an import file must hold literally (the column hints name them).
    "office", "lab", "studio", "showroom", "warehouse", "workstation", "instant", "window", "equipment",
}
"""Texts a reader types exactly as shown, whatever the page's language."""

KNOWN_LEAKS: dict[str, set[str]] = {
    # Texts still in the other language, each to be fixed (page path → words). Keep it short.
}

HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
CODE_LIKE = re.compile(r"\S*[0-9@/_.:=#]\S*")
"""Codes, e-mail addresses, paths, times and numbers with units: not words of a language."""


class MainText(HTMLParser):
    """The visible text inside `<main>`: no tags, attribute values, scripts, styles or code."""

    SKIPPED = {"script", "style", "code", "pre", "template", "noscript", "textarea"}
    """Not words of the page: scripts, code, and a text field's value (an edited document)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main += 1
        elif tag in self.SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main" and self.in_main:
            self.in_main -= 1
        elif tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skipping:
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = MainText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def wrong_script(text: str, lang: str, proper_names: set[str]) -> set[str]:
    """Words of the other language in `text` (English on a Chinese page, Chinese on an English one)."""
    for name in sorted(proper_names, key=len, reverse=True):
        text = text.replace(name, " ")
    for literal in LITERALS:
        text = re.sub(rf"\b{re.escape(literal)}\b", " ", text)
    if lang == "en":
        return set(HAN.findall(text))
    text = CODE_LIKE.sub(" ", text)
    return {word for word in LATIN_WORD.findall(text) if word not in NAMES_WITHOUT_TRANSLATION}


def test_the_check_finds_each_script_on_the_wrong_page_and_keeps_names():
    html = '<header>Park 园区</header><main><h1 title="Title">预订</h1><code>GET /api</code> Room 会议室 B1-101 A1</main>'
    assert wrong_script(main_text(html), "zh_Hans", set()) == {"Room"}
    assert wrong_script(main_text(html), "en", set()) == {"预订", "会议室"}
    assert wrong_script(main_text(html), "en", {"会议室", "预订"}) == set()


async def _session(app, email: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    form = await http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token, "the sign-in page has no CSRF field"
    signed = await http.post("/login", data={"email": email, "password": TEST_PASSWORD, "next": "/",
                                             "_csrf_token": token.group(1)})
    assert signed.status_code == 303, signed.text
    return http


async def _world(client) -> dict:
    """Records for every id a page route asks for, and the names they carry."""
    tenant = await builders.create_tenant()
    building = await builders.create_building()
    facility = await builders.create_facility(building["id"])
    users = {
        (role, lang): await builders.create_user(role, None if role == "manager" else tenant["id"], locale=lang)
        for role in ("manager", "tenant_admin") for lang in ("en", "zh_Hans")
    }
    admin = users[("tenant_admin", "en")]
    booking = await builders.create_booking(facility["id"], tenant["id"], admin.id,
                                            builders.at(8, 10))
    unit = await builders.create_unit(building["id"])
    today = date.today()
    await builders.create_lease(unit["id"], tenant["id"], today - timedelta(days=30), today + timedelta(days=300))
    applied = await client.post("/api/v1/space-applications", json=builders.application_body(),
                                headers=admin.headers)
    assert applied.status_code == 201, applied.text
    await builders.create_unit(building["id"], kind=builders.application_body()["unit_kind"])  # vacant, for the round
    proposed = await client.post("/api/v1/allocation-rounds", headers=users[("manager", "en")].headers)
    assert proposed.status_code == 201, proposed.text
    ids = {
        "facility_id": facility["id"], "booking_id": booking["id"], "tenant_id": tenant["id"],
        "application_id": applied.json()["id"], "round_id": proposed.json()["id"], "token": "no-such-token",
    }
    names = {tenant["name"], tenant["name_en"], building["name"], facility["name"],
             *(value for value in (building.get("name_en"), facility.get("name_en")) if value),
             "Test manager", "Test tenant_admin"}
    return {"users": users, "ids": ids, "names": names}


def _page_paths(app, ids: dict) -> tuple[list[str], list[str]]:
    """Every GET page route with its ids filled in, and the routes no id could fill."""
    filled, skipped = [], []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        if route.path.startswith(NOT_PAGES) or route.path.endswith(NOT_HTML):
            continue
        path = route.path
        for name in re.findall(r"\{(\w+):\w+\}", route.path):
            if name in ids:
                path = re.sub(r"\{" + name + r":\w+\}", str(ids[name]), path)
        (skipped if "{" in path else filled).append(path)
    return filled, skipped


@pytest.mark.parametrize("role", ["manager", "tenant_admin"])
async def test_every_page_speaks_only_the_readers_language(app, client, role):
    world = await _world(client)
    paths, skipped = _page_paths(app, world["ids"])
    assert len(paths) >= MIN_PAGES, f"only {len(paths)} pages reached; skipped {skipped}"
    leaks: dict[str, set[str]] = {}
    for lang in ("en", "zh_Hans"):
        http = await _session(app, world["users"][(role, lang)].email)
        try:
            for path in paths:
                response = await http.get(path, headers={"Accept": "text/html"})
                assert response.status_code < 500, (path, response.status_code)
                if "text/html" not in response.headers.get("content-type", ""):
                    continue
                words = wrong_script(main_text(response.text), lang, world["names"])
                words -= KNOWN_LEAKS.get(path, set())
                if words:
                    leaks[f"{lang} {path} ({response.status_code})"] = words
        finally:
            await http.aclose()
    assert leaks == {}, "\n".join(f"{page}: {sorted(words)}" for page, words in sorted(leaks.items()))


BAD_REQUESTS = [
    # (method, path, body, status)
    ("GET", "/api/v1/bookings?limit=0", None, 422),
    ("GET", "/api/v1/bookings?status=nonsense", None, 422),
    ("GET", "/api/v1/bookings/2000000", None, 404),
    ("GET", "/api/v1/facilities/2000000", None, 404),
    ("GET", "/api/v1/audit", None, 403),
]


def _problem_words(problem: dict) -> str:
    return " ".join([problem["title"], problem["detail"], *(e["message"] for e in problem.get("errors", []))])


def _speaks(problem: dict, lang: str) -> bool:
    """Chinese text has Han characters and no English word; English text has no Han character.
    Field names are the contract's, the same in both."""
    text = _problem_words(problem)
    if lang == "en":
        return not HAN.search(text) and bool(LATIN_WORD.search(text))
    codes = {e["field"] for e in problem.get("errors", [])} | set(BOOKING_STATUSES) | {"nonsense"}
    return bool(HAN.search(text)) and not wrong_script(text, lang, codes)


@pytest.mark.parametrize("header, lang", [("en", "en"), ("zh-CN", "zh_Hans"), ("zh-Hans", "zh_Hans")])
async def test_api_problems_speak_the_asked_language(client, member, facility_for_problems, header, lang):
    requests = [*BAD_REQUESTS, ("POST", "/api/v1/bookings", facility_for_problems, 409)]
    for method, path, body, status in requests:
        response = await client.request(method, path, json=body,
                                        headers={**member.headers, "Accept-Language": header})
        assert response.status_code == status, (path, response.text)
        problem = response.json()
        assert _speaks(problem, lang), (path, problem)


@pytest.fixture
async def facility_for_problems(tenant, member):
    """A booking body that clashes with a stored booking: a 409 from the booking rules."""
    facility = await builders.create_facility()
    starts = builders.at(7, 10)
    await builders.create_booking(facility["id"], tenant["id"], member.id, starts)
    return {"facility_id": facility["id"], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat()}


async def test_a_problem_speaks_the_asked_language_exactly(client, member):
    refused = await client.get("/api/v1/bookings?limit=0", headers={**member.headers, "Accept-Language": "zh-CN"})
    assert refused.status_code == 422
    assert refused.json()["title"] == "输入有误"
    assert refused.json()["errors"] == [{"field": "limit", "message": "请使用 1 至 200 之间的 limit。"}]
    assert refused.json()["detail"] == "limit: 请使用 1 至 200 之间的 limit。"
    english = await client.get("/api/v1/bookings?limit=0", headers={**member.headers, "Accept-Language": "en"})
    assert english.json()["title"] == "Invalid input"
    assert english.json()["errors"] == [{"field": "limit", "message": "Use a limit between 1 and 200."}]


async def test_without_accept_language_a_problem_speaks_the_users_saved_language(client, tenant):
    for lang, detail in (("en", "There is no booking 2000000."), ("zh_Hans", "没有编号为 2000000 的预订。")):
        user = await builders.create_user("member", tenant["id"], locale=lang)
        missing = await client.get("/api/v1/bookings/2000000", headers=user.headers)
        assert missing.status_code == 404
        assert "accept-language" not in missing.request.headers
        assert missing.json()["detail"] == detail


async def test_a_broken_booking_rule_is_said_in_the_asked_language(client, member, facility_for_problems):
    for header, script in (("zh-CN", HAN), ("en", LATIN_WORD)):
        clash = await client.post("/api/v1/bookings", json=facility_for_problems,
                                  headers={**member.headers, "Accept-Language": header})
        assert clash.status_code == 409
        assert clash.json()["rule"]
        assert script.search(clash.json()["detail"]) and _speaks(clash.json(), "en" if header == "en" else "zh_Hans")


WEEK = {"from": "2026-11-23", "to": "2026-11-30", "group_by": "facility"}


async def test_occupancy_file_headings_follow_the_readers_language(client, manager):
    english = await client.get("/api/v1/reports/occupancy.csv", params=WEEK,
                               headers={**manager.headers, "Accept-Language": "en"})
    chinese = await client.get("/api/v1/reports/occupancy.csv", params=WEEK,
                               headers={**manager.headers, "Accept-Language": "zh-CN"})
    assert english.status_code == chinese.status_code == 200
    assert english.content.decode("utf-8-sig").splitlines()[0] == "key,label,open_hours,booked_hours,utilization"
    assert chinese.content.decode("utf-8-sig").splitlines()[0] == "代码,名称,开放小时,已预订小时,利用率"
    workbook = await client.get("/api/v1/reports/occupancy.xlsx", params=WEEK, headers={**manager.headers, "Accept-Language": "zh-CN"})
    assert workbook.status_code == 200
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(workbook.content)).read("xl/workbook.xml").decode()
    assert "使用情况" in names
