"""Moving a park in from spreadsheets: a preview naming every problem, all or nothing, safe to repeat."""

from __future__ import annotations

import io

import xlsxwriter

from park.allocation.tables import Lease, Unit
from park.audit.tables import AuditEntry
from park.facilities.tables import Facility
from park.tenants.tables import QualificationRecord, Tenant
from tests import support
from tests.accounts.test_pages import csrf_from, sign_in
from tests.facilities.builders import create_building

HTML = {"accept": "text/html"}


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: list[list[object]]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return output.getvalue()


async def send(client, login, kind: str, content: bytes, *, dry_run: bool = False, name: str = "park.csv", lang="en"):
    return await client.post(
        f"/api/v1/imports/{kind}", params={"dry_run": "true" if dry_run else "false"},
        files={"file": (name, content)}, headers=login.headers | {"accept-language": lang},
    )


async def tenant_rows() -> list[dict]:
    return await Tenant.select().order_by(Tenant.id)


TENANTS = [
    "uscc,name,name_en,sector,qualifications,staff_count,rd_staff_count",
    f"{support.make_uscc(101)},光影动画有限公司,Light Animation Ltd,animation_games,\"leading_firm, original_brand\",80,30",
    f"{support.make_uscc(102)},墨香出版社,Ink Press,digital_publishing,,20,5",
]


async def test_a_preview_names_every_bad_row_and_writes_nothing(client, manager):
    before = await tenant_rows()
    content = csv_file(*TENANTS, "91440300000000000X,坏代码公司,,animation_games,,10,2",
                       f"{support.make_uscc(104)},无行业公司,,no_such_sector,,10,2",
                       f"{support.make_uscc(105)},人数公司,,new_media,,ten,2")
    response = await send(client, manager, "tenants", content, dry_run=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["action"] for row in body["rows"]] == ["created", "created", "", "", ""]
    problems = {(e["row"], e["field"]) for e in body["errors"]}
    assert problems == {(4, "uscc"), (5, "sector"), (6, "staff_count")}
    assert all(e["message"][0].isupper() for e in body["errors"])
    assert await tenant_rows() == before


async def test_an_import_with_a_bad_row_changes_nothing_and_says_why_in_the_readers_language(client, manager):
    before = await tenant_rows()
    audit_before = await AuditEntry.count()
    content = csv_file(*TENANTS, f"{support.make_uscc(106)},人数公司,,new_media,,ten,2")
    response = await send(client, manager, "tenants", content, lang="zh-CN")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (4, "staff_count") and error["message"] == "请输入整数。"
    assert await tenant_rows() == before and await AuditEntry.count() == audit_before


async def test_an_import_creates_then_a_repeat_changes_nothing_and_a_changed_row_updates(client, manager):
    first = await send(client, manager, "tenants", csv_file(*TENANTS))
    assert first.status_code == 201, first.text
    assert first.json() == {"created": 2, "updated": 0}
    stored = await tenant_rows()
    firm = next(row for row in stored if row["uscc"] == support.make_uscc(101))
    kinds = {r["kind"] for r in await QualificationRecord.select().where(QualificationRecord.tenant == firm["id"])}
    assert kinds == {"leading_firm", "original_brand"}

    again = await send(client, manager, "tenants", csv_file(*TENANTS))
    assert again.status_code == 201 and again.json() == {"created": 0, "updated": 0}
    assert await tenant_rows() == stored

    renamed = [TENANTS[0], TENANTS[1].replace("Light Animation Ltd", "Light Animation Group"), TENANTS[2]]
    changed = await send(client, manager, "tenants", csv_file(*renamed))
    assert changed.json() == {"created": 0, "updated": 1}
    assert (await Tenant.select(Tenant.name_en).where(Tenant.id == firm["id"]).first())["name_en"] == "Light Animation Group"
    assert await AuditEntry.count().where(AuditEntry.action == "import.tenants") == 3


async def test_units_and_leases_from_excel_with_chinese_headings_and_a_repeat_adds_no_lease(client, manager):
    building = await create_building(code="E")
    await send(client, manager, "tenants", csv_file(*TENANTS))
    units = xlsx_file([["单元编号", "楼栋编号", "楼层", "空间类型", "面积（平方米）", "月租金（分）"],
                       ["E-301", "E", 3, "office", 180.5, 5400000],
                       ["E-302", "E", 3, "studio", 95, 2800000]])
    response = await send(client, manager, "units", units, name="units.xlsx")
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 2, "updated": 0}
    assert await Unit.count().where(Unit.building == building["id"]) == 2
    leases = xlsx_file([["unit", "tenant", "starts_on", "ends_on"],
                        ["E-301", support.make_uscc(101), "2027-01-01", "2029-01-01"]])
    assert (await send(client, manager, "leases", leases, name="leases.xlsx")).json() == {"created": 1, "updated": 0}
    assert (await send(client, manager, "leases", leases, name="leases.xlsx")).json() == {"created": 0, "updated": 0}
    assert await Lease.count() == 1
    overlapping = xlsx_file([["unit", "tenant", "starts_on", "ends_on"],
                             ["E-301", support.make_uscc(102), "2028-01-01", "2030-01-01"],
                             ["E-999", support.make_uscc(102), "2028-01-01", "2030-01-01"]])
    refused = await send(client, manager, "leases", overlapping, name="leases.xlsx")
    assert refused.status_code == 422
    assert {(e["row"], e["field"]) for e in refused.json()["errors"]} == {(2, "unit"), (3, "unit")}
    assert await Lease.count() == 1


async def test_facilities_are_matched_by_their_code(client, manager):
    await create_building(code="F")
    rows = ["code,building,name,name_en,kind,capacity,requires_approval,hourly_rate_fen",
            "F-LAB-1,F,声学实验室,Acoustics lab,lab,6,是,20000"]
    assert (await send(client, manager, "facilities", csv_file(*rows))).json() == {"created": 1, "updated": 0}
    lab = await Facility.select().where(Facility.code == "F-LAB-1").first()
    assert (lab["capacity"], lab["requires_approval"], lab["hourly_rate_fen"]) == (6, True, 20000)
    assert (await send(client, manager, "facilities", csv_file(*rows))).json() == {"created": 0, "updated": 0}
    bigger = [rows[0], rows[1].replace(",6,", ",8,")]
    assert (await send(client, manager, "facilities", csv_file(*bigger))).json() == {"created": 0, "updated": 1}
    assert await Facility.count().where(Facility.code == "F-LAB-1") == 1


async def test_bad_files_and_callers_are_refused(client, manager, member):
    assert (await send(client, member, "tenants", csv_file(*TENANTS))).status_code == 403
    assert (await send(client, manager, "rooms", csv_file(*TENANTS))).status_code == 404
    unreadable = await send(client, manager, "tenants", b"PK\x03\x04 not really a workbook", name="x.xlsx")
    assert unreadable.status_code == 422 and unreadable.json()["errors"][0]["field"] == "file"
    headings = await send(client, manager, "tenants", csv_file("uscc,name,colour", "x,y,z"))
    assert headings.status_code == 422
    assert {(e["row"], e["field"]) for e in headings.json()["errors"]} == {(1, "colour"), (1, "sector")}
    nul = await send(client, manager, "tenants", csv_file(TENANTS[0], TENANTS[1].replace("光影", "光\x00影")))
    assert nul.status_code == 422


async def test_templates_download_with_the_columns(client, manager):
    csv_template = await client.get("/api/v1/imports/leases/template?format=csv", headers=manager.headers)
    assert csv_template.status_code == 200 and csv_template.headers["content-type"].startswith("text/csv")
    assert csv_template.content.decode("utf-8-sig").strip() == "unit,tenant,starts_on,ends_on"
    xlsx_template = await client.get("/api/v1/imports/units/template?format=xlsx", headers=manager.headers)
    assert xlsx_template.status_code == 200 and xlsx_template.content[:2] == b"PK"


async def test_the_page_previews_then_imports_on_confirmation(client, manager):
    await sign_in(client, manager.email)
    form = await client.get("/imports", headers=HTML | {"accept-language": "en"})
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    preview = await client.post("/imports/preview", data={"kind": "tenants", "_csrf_token": csrf_from(form.text)},
                                files={"file": ("firms.csv", csv_file(*TENANTS))},
                                headers=HTML | {"accept-language": "en"})
    assert preview.status_code == 200, preview.text
    assert "Import these 2 rows" in preview.text and "光影动画有限公司" in preview.text
    assert await Tenant.count().where(Tenant.uscc == support.make_uscc(101)) == 0, "a preview writes nothing"
    packed = preview.text.split('name="packed" value="')[1].split('"')[0]
    done = await client.post("/imports/confirm", data={"kind": "tenants", "filename": "firms.csv", "packed": packed,
                                                      "_csrf_token": csrf_from(preview.text)},
                             headers={"accept-language": "en"})
    assert done.status_code == 303
    assert await Tenant.count().where(Tenant.uscc.is_in([support.make_uscc(101), support.make_uscc(102)])) == 2
    after = await client.get("/imports", headers=HTML | {"accept-language": "en"})
    assert "2 created, 0 updated" in after.text


async def test_the_page_shows_problems_by_row_and_offers_no_import(client, manager):
    await sign_in(client, manager.email)
    form = await client.get("/imports", headers=HTML)
    bad = csv_file(TENANTS[0], f"{support.make_uscc(107)},无行业公司,,no_such_sector,,10,2")
    preview = await client.post("/imports/preview", data={"kind": "tenants", "_csrf_token": csrf_from(form.text)},
                                files={"file": ("firms.csv", bad)}, headers=HTML | {"accept-language": "zh-CN"})
    assert preview.status_code == 422
    assert "第 2 行" in preview.text and 'action="/imports/confirm"' not in preview.text
