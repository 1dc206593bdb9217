"""The park summary: billed, subsidised and due over a month's issued statements, by sector,
qualification and facility kind; and the statement pages a firm and a manager read."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.priority.parser import load_policy
from park.billing.service import issue_statements
from park.billing.summary import SummaryLine, summarise
from park.bookings.tables import Booking
from park.reports.periods import MONTHLY, parse_period
from park.settings import CONFIG_DIR
from park.tenants.tables import QualificationRecord
from tests import builders
from tests.accounts.test_pages import sign_in
from tests.builders import create_facility

ZONE = ZoneInfo("Asia/Shanghai")
POLICY = load_policy(CONFIG_DIR / "priority.toml")
NOVEMBER = parse_period(MONTHLY, "2026-11")
START = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)
ISSUED_AT = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
HTML = {"accept": "text/html"}


def line(tenant: int, sector: str | None, held: set[str], facility_kind: str, amount: int, subsidy: int,
         kind: str = "booking") -> SummaryLine:
    return SummaryLine(tenant, sector, frozenset(held), kind, facility_kind, amount, subsidy)


def test_the_summary_adds_each_line_once_per_group_and_a_firm_under_each_qualification():
    summary = summarise([
        line(1, "animation_games", {"leading_firm", "original_brand"}, "lab", 10000, 3000),
        line(1, "animation_games", {"leading_firm", "original_brand"}, "", 50000, 10000, kind="rent"),
        line(2, "new_media", set(), "meeting_room", 2000, 0),
    ])
    assert (summary.total.amount_fen, summary.total.subsidy_fen, summary.total.due_fen) == (62000, 13000, 49000)
    by_sector = {g.key: (g.amount_fen, g.subsidy_fen, len(g.firms)) for g in summary.by_sector}
    assert by_sector == {"animation_games": (60000, 13000, 1), "new_media": (2000, 0, 1)}
    by_qualification = {g.key: g.amount_fen for g in summary.by_qualification}
    assert by_qualification == {"leading_firm": 60000, "original_brand": 60000, "none": 2000}
    assert [g.key for g in summary.by_facility_kind] == ["rent", "lab", "meeting_room"]  # largest first


async def _november_statements() -> tuple[dict, dict]:
    lab = await create_facility(kind="lab", hourly_rate_fen=10000)
    room = await create_facility(kind="meeting_room", hourly_rate_fen=5000)
    leading = await builders.create_tenant(sector="animation_games")
    await QualificationRecord(tenant=leading["id"], kind="leading_firm", valid_until=date(2027, 12, 31)).save()
    plain = await builders.create_tenant(sector="new_media")
    for tenant, facility in ((leading, lab), (plain, room)):
        user = await builders.create_user(tenant_id=tenant["id"])
        await Booking(facility=facility["id"], tenant=tenant["id"], user=user.id, starts_at=START,
                      ends_at=START + timedelta(hours=2), occupied_until=START + timedelta(hours=2), seats=1,
                      status="completed", created_at=START - timedelta(days=1)).save()
    await issue_statements(NOVEMBER, ISSUED_AT, ZONE, POLICY)
    return leading, plain


async def test_a_manager_reads_the_park_summary_and_a_firm_may_not(client, manager, member):
    leading, plain = await _november_statements()
    refused = await client.get("/api/v1/statements/summary?month=2026-11", headers=member.headers)
    assert refused.status_code == 403
    response = await client.get("/api/v1/statements/summary?month=2026-11", headers=manager.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["month"] == "2026-11" and body["statements"] >= 2
    # 2 h of the lab at ¥100 = 20000 fen, 30 % platform subsidy; 2 h of the room at ¥50, none.
    assert body["totals"]["amount_fen"] == 30000 and body["totals"]["subsidy_fen"] == 6000
    sectors = {g["key"]: (g["amount_fen"], g["subsidy_fen"], g["due_fen"]) for g in body["by_sector"]}
    assert sectors == {"animation_games": (20000, 6000, 14000), "new_media": (10000, 0, 10000)}
    kinds = {g["key"]: g["amount_fen"] for g in body["by_facility_kind"]}
    assert kinds == {"lab": 20000, "meeting_room": 10000}
    qualifications = {g["key"]: g["firms"] for g in body["by_qualification"]}
    assert qualifications == {"leading_firm": 1, "none": 1}


async def test_a_month_not_yet_begun_is_refused_on_the_summary(client, manager):
    response = await client.get("/api/v1/statements/summary?month=2999-01", headers=manager.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "month"


async def test_the_summary_page_shows_the_groups_in_the_readers_language(client, manager):
    await _november_statements()
    await sign_in(client, manager.email)
    chinese = await client.get("/statements/summary?month=2026-11", headers=HTML | {"accept-language": "zh-CN"})
    assert chinese.status_code == 200
    main = chinese.text[chinese.text.index("<main"):]
    assert "按行业" in main and "动漫游戏" in main and "实验室" in main, main
    english = await client.get("/statements/summary?month=2026-11", headers=HTML | {"accept-language": "en"})
    assert "By sector" in english.text and "Animation and games" in english.text


async def test_a_firm_reads_its_issued_statement_on_its_page_with_why_it_got_a_subsidy(client):
    leading, _plain = await _november_statements()
    member = await builders.create_user(tenant_id=leading["id"])
    await sign_in(client, member.email)
    page = await client.get("/statements?month=2026-11", headers=HTML | {"accept-language": "en"})
    assert page.status_code == 200
    assert "This statement was issued and will not change." in page.text
    assert "(used)" in page.text and "platform_use" in page.text
    assert "30 % off labs" in page.text  # the policy's own words for the rule
    assert "/api/v1/statements.csv?tenant_id=" in page.text
    months = await client.get("/statements", headers=HTML | {"accept-language": "zh-CN"})
    assert "截至目前" in months.text and ">2026年11月<" in months.text  # the month so far, then the issued one, by name


async def test_a_firm_cannot_open_another_firms_statement_page(client, member, other_tenant):
    await sign_in(client, member.email)
    page = await client.get(f"/statements?tenant_id={other_tenant['id']}", headers=HTML)
    assert page.status_code == 403


async def test_statement_descriptions_and_file_headings_follow_the_readers_language(client, member):
    room = await create_facility(name="会议室 A101", name_en="Meeting room A101", kind="meeting_room",
                                 hourly_rate_fen=6000)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    await Booking(facility=room["id"], tenant=member.tenant_id, user=member.id, starts_at=now - timedelta(hours=1),
                  ends_at=now - timedelta(minutes=30), occupied_until=now - timedelta(minutes=30), seats=1,
                  status="completed", created_at=now - timedelta(days=1)).save()
    english = await client.get("/api/v1/statements", headers=member.headers | {"accept-language": "en"})
    chinese = await client.get("/api/v1/statements", headers=member.headers | {"accept-language": "zh-CN"})
    assert english.json()["lines"][0]["description"].endswith("(used)")
    assert chinese.json()["lines"][0]["description"].endswith("（已使用）")
    csv_zh = await client.get("/api/v1/statements.csv", headers=member.headers | {"accept-language": "zh-CN"})
    assert csv_zh.content.decode("utf-8-sig").splitlines()[0].startswith("类别,预订")
