"""One language at a time: every page and every API problem in the reader's language only.

Each page route of the app (from its route table, ids filled from the demo base) is fetched by a
signed-out visitor and by the demo's member, firm administrator, manager and administrator, once
in English and once in Chinese. What the reader sees or hears of the page (its text and read-out
attributes; no scripts, `<code>`, or text marked `lang` as the other language) may hold no word of
the other script, beyond proper names with one form only (people's names; a Chinese name, platform
or address with no English one on an English page), what people typed, and a
short list of names and formats that read the same in both. Then every kind of API problem is
asked for in both languages and its problem details checked the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import httpx
import pytest
from litestar.routes import HTTPRoute

from park.accounts.service import issue_token, token_digest
from park.accounts.tables import Invitation, PasswordReset, User
from park.allocation.tables import Unit
from park.bookings.model import STATUSES as BOOKING_STATUSES
from park.bookings.tables import Booking
from park.demo import DEMO_PASSWORD, load_demo
from park.facilities.tables import Blackout, Building, Facility
from park.reports.tables import ReportSnapshot as Snapshot
from park.shared.actor import Actor
from park.shared.clock import utc_now
from park.shared.reasons import stored
from park.tenants.tables import Tenant
from tests import builders
from tests.builders import TEST_PASSWORD

NOT_PAGES = ("/api", "/schema", "/static", "/healthz", "/calendar", "/live", "/facility-photos")
"""Not pages: the API (its problems are checked below), files, feeds, photos, the live event stream."""
NOT_HTML = ("/calendar.ics",)
MIN_PAGES = 50
"""The app has some fifty page routes, every one filled here; a walk that reaches fewer has lost its way."""

NAMES_WITHOUT_TRANSLATION = {
    "Park", "API", "CSV", "XLSX", "JPEG", "PNG", "WebP", "MB", "iCalendar", "USCC", "TOML", "ICS", "URL", "HTTP", "JSON", "ID",
    "PDF", "CNY", "AM", "PM", "UTC", "GMT", "Bearer", "Shift", "Enter", "Home", "End", "Esc", "Token", "Accept-Language", "Idempotency-Key",
    "Excel", "Apple", "iPhone", "iPad", "Mac", "Google", "Outlook", "webcal", "GET", "POST", "RFC", "RRULE", "UNTIL", "COUNT",
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


class PageText(HTMLParser):
    """What a reader sees or hears of a page: the title and the body's text, and the attributes
    that are read out or shown (placeholder, title, aria-label, alt, a button's value); no
    scripts, styles, code or a text field's value, and no element marked as another language
    (`lang="en"` on a Chinese page: the language switch names each language in its own)."""

    SKIPPED = {"script", "style", "code", "pre", "template", "noscript", "textarea"}
    """Not words of the page: scripts, code, and a text field's value (an edited document)."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    READ_OUT = ("placeholder", "title", "aria-label", "alt", "aria-description")

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = "zh-Hans" if lang == "zh_Hans" else "en"
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other_language = tag != "html" and values.get("lang") not in (None, "", self.html_lang)
        if tag in self.VOID:
            if not self.skipping and not other_language:
                self._attributes(tag, values)
            return
        if self.skipping or tag in self.SKIPPED or other_language:
            self.skipping.append(tag)
            return
        self._attributes(tag, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self._attributes(tag, dict(attrs))

    def _attributes(self, tag: str, values: dict[str, str | None]) -> None:
        self.parts += [values[name] or "" for name in self.READ_OUT if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str, lang: str) -> str:
    parser = PageText(lang)
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
    html = ('<header>Park 园区 <a lang="en" href="?lang=en">English</a> <a lang="zh-Hans">简体中文</a></header>'
            '<main><h1 title="Title">预订</h1><code>GET /api</code> Room 会议室 B1-101 A1'
            '<input type="search" placeholder="搜索"><img alt="Photo" src="x.png"></main>')
    assert wrong_script(page_text(html, "zh_Hans"), "zh_Hans", set()) == {"Room", "Title", "Photo"}
    assert wrong_script(page_text(html, "en"), "en", set()) == {"园区", "预订", "会议室", "搜索"}
    assert wrong_script(page_text(html, "en"), "en", {"园区", "会议室", "预订", "搜索"}) == set()


async def _session(app, email: str, password: str = TEST_PASSWORD) -> httpx.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    form = await http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token, "the sign-in page has no CSRF field"
    signed = await http.post("/login", data={"email": email, "password": password, "next": "/",
                                             "_csrf_token": token.group(1)})
    assert signed.status_code == 303, signed.text
    return http


ROLES = {"member": "member@dragonlight.demo", "tenant_admin": "admin@dragonlight.demo", "manager": "manager@park.demo",
         "admin": "admin@park.demo"}
"""The demo's sign-ins (park/demo.py), one per role that sees pages of its own."""
LINK_TOKEN = "a-live-link-of-the-language-test"
QUERIES = {
    "/timeline/start": ["facility={facility_id}&start={day}T10:00"],
    # Pages whose choices show other words: reports by each grouping, a search with results, other lists.
    "/reports": [f"group_by={group}" for group in ("kind", "building", "tenant", "sector", "platform")],
    "/find": ["starts={day}T10:00&duration=60&seats=1", "starts={day}T10:00&duration=60&seats=1&q=lab"],
    "/bookings": ["show=past", "show=cancelled"],
    "/timeline": ["group=kind", "date={day}"],
    "/facilities": ["kind=equipment", "q=3D"],
}
"""Queries that show more of a page route (or all a route shows: the timeline's start), filled like path parameters."""


async def _demo_world(client, settings) -> dict:
    """The demo base, a few changes made through the API (so the lists and the audit log hold them),
    an id for every path parameter and the proper names each language may show."""
    now = utc_now()
    assert await load_demo(now, settings.zone)
    users = {role: await User.select().where(User.email == email).first() for role, email in ROLES.items()}
    headers = {}
    for role, user in users.items():
        actor = Actor(id=user["id"], email=user["email"], name=user["name"], role=user["role"], tenant_id=user["tenant"])
        token, _expires = await issue_token(settings, actor, now, "language test")
        headers[role] = {"Authorization": f"Bearer {token}"}
    firm = users["member"]["tenant"]
    applied = await client.post("/api/v1/space-applications", json=builders.application_body(), headers=headers["tenant_admin"])
    assert applied.status_code == 201, applied.text
    proposed = await client.post("/api/v1/allocation-rounds", headers=headers["manager"])
    assert proposed.status_code == 201, proposed.text
    facility = await Facility.select().where(Facility.requires_approval.eq(False)).order_by(Facility.id).first()
    # A booking a manager cancels (its reason Park's own words) and one Park cancelled with a stored reason code.
    taken = await builders.create_booking(facility["id"], firm, users["member"]["id"], builders.at(8, 10, year=now.year + 1))
    cancelled = await client.post(f"/api/v1/bookings/{taken['id']}/cancel", headers=headers["manager"])
    assert cancelled.status_code == 200, cancelled.text
    coded = await builders.create_booking(facility["id"], firm, users["member"]["id"], builders.at(9, 10, year=now.year + 1),
                                          status="cancelled")
    await Booking.update({getattr(Booking, column): value
                          for column, value in stored("status_reason", "booking.series_cancelled").items()}
                         ).where(Booking.id == coded["id"])
    changed = await client.patch(f"/api/v1/tenants/{firm}", headers=headers["manager"], json={"ip_count": 21, "sector": "new_media"})
    assert changed.status_code == 200, changed.text
    changed = await client.patch(f"/api/v1/facilities/{facility['id']}", headers=headers["manager"], json={"capacity": facility["capacity"]})
    assert changed.status_code == 200, changed.text
    # A live invitation and password-reset link (their tokens are otherwise only in the mail).
    link = {"token_hash": token_digest(LINK_TOKEN)}
    await PasswordReset.insert(PasswordReset(user=users["member"]["id"], expires_at=now + timedelta(hours=1), **link))
    await Invitation.insert(Invitation(email="new@dragonlight.demo", role="member", tenant=firm,
                                       invited_by=users["tenant_admin"]["id"], expires_at=now + timedelta(hours=72), **link))
    booking = await Booking.select(Booking.id).where(Booking.tenant == firm).order_by(Booking.starts_at, ascending=False).first()
    ids = {
        "facility_id": facility["id"], "booking_id": booking["id"], "tenant_id": firm,
        "application_id": applied.json()["id"], "round_id": proposed.json()["id"], "token": LINK_TOKEN,
        "unit_id": (await Unit.select(Unit.id).order_by(Unit.id).first())["id"],
        "snapshot_id": (await Snapshot.select(Snapshot.id).order_by(Snapshot.id).first())["id"],
        "day": (now.astimezone(settings.zone) + timedelta(days=1)).date().isoformat(),
    }
    return {"users": users, "ids": ids, "names": await _proper_names()}


async def _proper_names() -> dict[str, set[str]]:
    """Names each language may show as they are: people's names (one form only), and Chinese names,
    platforms and addresses with no English form on an English page."""
    people = {row["name"] for row in await User.select(User.name)}
    kept: set[str] = set()
    # What people typed is shown as typed (the demo types some in both languages, "团队培训 / Team training").
    kept |= {row["purpose"] for row in await Booking.select(Booking.purpose)} | {
        row["reason"] for row in await Blackout.select(Blackout.reason)} | {"language test"}
    chinese, english = set(people) | kept, set(people) | kept
    pairs = [(Tenant, "name"), (Building, "name"), (Building, "address"), (Facility, "name"), (Facility, "platform")]
    for table, field in pairs:
        for row in await table.select(getattr(table, field), getattr(table, f"{field}_en")):
            chinese.add(row[field])
            english.add(row[f"{field}_en"] or row[field])
    return {"zh_Hans": {name for name in chinese if name}, "en": {name for name in english if name}}


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
        if "{" in path:
            skipped.append(path)
            continue
        filled += [f"{path}?{query.format(**ids)}" for query in QUERIES.get(route.path, [])]
        if route.path != "/timeline/start":
            filled.append(path)
    return filled, skipped


async def test_every_page_speaks_only_the_readers_language(app, client, settings):
    """Each page route, for a visitor (in the language the browser asks for) and for the demo's member,
    firm administrator and manager (in the language they saved), in English and in Chinese: the pages
    a role may not see answer with an error page or the sign-in page, checked too."""
    world = await _demo_world(client, settings)
    paths, skipped = _page_paths(app, world["ids"])
    assert len(paths) >= MIN_PAGES and not skipped, f"only {len(paths)} pages reached; skipped {skipped}"
    leaks: dict[str, set[str]] = {}
    shown: dict[str, int] = {}
    for role, user in [("visitor", None), *world["users"].items()]:
        for lang in ("en", "zh_Hans"):
            if user is None:  # signed out: the browser's languages choose
                http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
            else:
                await User.update({User.locale: lang}).where(User.id == user["id"])
                http = await _session(app, user["email"], DEMO_PASSWORD)
            asked = {"Accept": "text/html", "Accept-Language": "en" if lang == "en" else "zh-CN"} if user is None else {"Accept": "text/html"}
            try:
                for path in paths:
                    response = await http.get(path, headers=asked)
                    assert response.status_code < 500, (role, lang, path, response.status_code)
                    if "text/html" not in response.headers.get("content-type", ""):
                        continue
                    shown[role] = shown.get(role, 0) + (response.status_code == 200)
                    words = wrong_script(page_text(response.text, lang), lang, world["names"][lang])
                    words -= KNOWN_LEAKS.get(path, set())
                    if words:
                        leaks[f"{role} {lang} {path} ({response.status_code})"] = words
            finally:
                await http.aclose()
    assert leaks == {}, "\n".join(f"{page}: {sorted(words)}" for page, words in sorted(leaks.items()))
    # Each role really read its pages (not only refusals): a manager most, a member least.
    assert shown["admin"] >= shown["manager"] > shown["tenant_admin"] >= shown["member"] > shown["visitor"] >= 2 * 5, shown


BAD_REQUESTS = [
    # (method, path, body, status): a dict body is sent as JSON, bytes as they are.
    ("GET", "/api/v1/bookings?limit=0", None, 422),
    ("GET", "/api/v1/bookings?status=nonsense", None, 422),
    ("GET", "/api/v1/bookings/2000000", None, 404),
    ("GET", "/api/v1/facilities/2000000", None, 404),
    ("GET", "/api/v1/audit", None, 403),
    # The framework's own refusals: wrong type, missing field, unknown value, missing parameter.
    ("POST", "/api/v1/bookings", {"facility_id": "x", "starts_at": "2026-12-08T10:00:00+08:00",
                                  "ends_at": "2026-12-08T11:00:00+08:00"}, 422),
    ("POST", "/api/v1/bookings", {"starts_at": "2026-12-08T10:00:00+08:00"}, 422),
    ("POST", "/api/v1/bookings", {"facility_id": 1, "starts_at": "soon", "ends_at": "later"}, 422),
    ("GET", "/api/v1/availability", None, 422),
    ("GET", "/api/v1/bookings?limit=many", None, 422),
    # A body that is no JSON, one larger than Park accepts, a method the address does not take.
    ("POST", "/api/v1/bookings", b"{not json", 400),
    ("POST", "/api/v1/bookings", b'{"purpose": "' + b"x" * 1_100_000 + b'"}', 413),
    ("DELETE", "/api/v1/bookings", None, 405),
]
ANONYMOUS_REQUESTS = [
    ("GET", "/api/v1/bookings", None, 401),
    ("POST", "/api/v1/auth/token", {"email": "nobody@park.demo", "password": "not-the-password"}, 401),
]
STARTS_LOWER_CASE = re.compile(r"[a-z]+\b(?![_=.(:])")
"""An English message starting with a plain lower-case word (a field's name or a code may start one)."""


def _problem_words(problem: dict) -> str:
    return " ".join([problem["title"], problem["detail"], *(e["message"] for e in problem.get("errors", []))])


def _speaks(problem: dict, lang: str) -> bool:
    """Chinese text has Han characters and no English word; English text has no Han character and
    each of its messages starts with a capital letter. Field names are the contract's, the same in both."""
    text = _problem_words(problem)
    if lang == "en":
        messages = [problem["title"], problem["detail"], *(e["message"] for e in problem.get("errors", []))]
        return (not HAN.search(text) and bool(LATIN_WORD.search(text))
                and not any(STARTS_LOWER_CASE.match(message) for message in messages))
    codes = {e["field"] for e in problem.get("errors", [])} | set(BOOKING_STATUSES) | {"nonsense"}
    return bool(HAN.search(text)) and not wrong_script(text, lang, codes)


async def _ask(client, method: str, path: str, body, headers: dict) -> httpx.Response:
    if isinstance(body, bytes):
        return await client.request(method, path, content=body, headers={**headers, "Content-Type": "application/json"})
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("header, lang", [("en", "en"), ("zh-CN", "zh_Hans"), ("zh-Hans", "zh_Hans")])
async def test_api_problems_speak_the_asked_language(client, member, facility_for_problems, header, lang):
    """Every kind of problem: 400, 401, 403, 404, 405, 409 with alternatives, 413, 422 (the framework's,
    Park's and a broken booking rule's, each with errors[]) and 429."""
    past = {**facility_for_problems, "starts_at": "2020-01-06T10:00:00+08:00", "ends_at": "2020-01-06T11:00:00+08:00"}
    asked = [(request, member.headers) for request in
             (*BAD_REQUESTS, ("POST", "/api/v1/bookings", facility_for_problems, 409), ("POST", "/api/v1/bookings", past, 422))]
    asked += [(request, {}) for request in ANONYMOUS_REQUESTS]
    for (method, path, body, status), headers in asked:
        response = await _ask(client, method, path, body, {**headers, "Accept-Language": header})
        assert response.status_code == status, (path, response.text)
        problem = response.json()
        assert _speaks(problem, lang), (path, problem)
        if status == 409:
            assert problem["alternatives"], problem
        if status == 422:
            assert problem["errors"], problem
    for _attempt in range(10):  # wrong passwords until Park slows the address down
        throttled = await client.post("/api/v1/auth/token", json={"email": member.email, "password": "wrong-password-1"},
                                      headers={"Accept-Language": header})
        if throttled.status_code == 429:
            break
    assert throttled.status_code == 429, throttled.text
    assert _speaks(throttled.json(), lang), throttled.json()


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
