"""Statements JSON API: a firm's month, issued or so far, as JSON, CSV or XLSX."""

from __future__ import annotations


import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from park.priority.service import current_policy
from park.billing import service, words
from park.billing.summary import Group
from park.reports.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, rows_csv, rows_xlsx
from park.settings import Settings
from park.shared.api import caller, reader_lang
from park.shared.clock import utc_now
from park.shared.guards import manager_only, signed_in

class LineOut(msgspec.Struct):
    kind: str
    description: str
    quantity: str
    unit_price_fen: int
    amount_fen: int
    subsidy_fen: int
    due_fen: int
    policy_version: str
    subsidy_rules: list[str]
    rule: str
    booking_id: int | None = None
    lease_id: int | None = None


class TotalsOut(msgspec.Struct):
    amount_fen: int
    subsidy_fen: int
    due_fen: int


class StatementOut(msgspec.Struct):
    tenant_id: int
    month: str
    status: str
    lines: list[LineOut]
    totals: TotalsOut


def statement_out(view: service.StatementView, zone, lang: str) -> StatementOut:
    lines = [
        LineOut(kind=row["kind"], description=words.describe(row, zone, lang), quantity=row["quantity"],
                unit_price_fen=row["unit_price_fen"], amount_fen=row["amount_fen"],
                subsidy_fen=row["subsidy_fen"], due_fen=row["due_fen"],
                policy_version=row["policy_version"], subsidy_rules=list(row["subsidy_rules"] or []),
                rule=row["rule"], booking_id=row["booking"], lease_id=row["lease"])
        for row in view.lines
    ]
    amount = sum(line.amount_fen for line in lines)
    subsidy = sum(line.subsidy_fen for line in lines)
    return StatementOut(view.tenant_id, view.month, view.status, lines,
                        TotalsOut(amount, subsidy, amount - subsidy))


def _rows(out: StatementOut) -> list[list[object]]:
    return [[line.kind, line.booking_id, line.lease_id, line.description, line.quantity,
             line.unit_price_fen, line.amount_fen, line.subsidy_fen, line.due_fen,
             " ".join(line.subsidy_rules), line.policy_version] for line in out.lines]


class StatementController(Controller):
    path = "/api/v1"
    tags = ["billing"]
    guards = [signed_in]

    async def _read(self, request: Request, settings: Settings, tenant_id: int | None,
                    month: str | None) -> StatementOut:
        view = await service.read_statement(caller(request), tenant_id, month, utc_now(), settings.zone,
                                            current_policy(settings))
        return statement_out(view, settings.zone, reader_lang(request))

    @get("/statements", summary="A firm's statement for a month: issued, or the month so far (open)")
    async def statement(self, request: Request, settings: NamedDependency[Settings],
                        tenant_id: FromQuery[int | None] = None,
                        month: FromQuery[str | None] = None) -> StatementOut:
        return await self._read(request, settings, tenant_id, month)

    @get("/statements.csv", summary="The statement's lines as CSV (UTF-8 with BOM)")
    async def statement_csv(self, request: Request, settings: NamedDependency[Settings],
                            tenant_id: FromQuery[int | None] = None,
                            month: FromQuery[str | None] = None) -> Response[bytes]:
        out = await self._read(request, settings, tenant_id, month)
        return Response(rows_csv(words.headings(reader_lang(request)), _rows(out)), media_type=CSV_MEDIA_TYPE, headers={
            "Content-Disposition": f'attachment; filename="statement-{out.tenant_id}-{out.month}.csv"'})

    @get("/statements.xlsx", summary="The statement's lines as an Excel workbook")
    async def statement_xlsx(self, request: Request, settings: NamedDependency[Settings],
                             tenant_id: FromQuery[int | None] = None,
                             month: FromQuery[str | None] = None) -> Response[bytes]:
        out = await self._read(request, settings, tenant_id, month)
        return Response(rows_xlsx(words.headings(reader_lang(request)), _rows(out), out.month), media_type=XLSX_MEDIA_TYPE, headers={
            "Content-Disposition": f'attachment; filename="statement-{out.tenant_id}-{out.month}.xlsx"'})


class GroupOut(msgspec.Struct):
    key: str
    amount_fen: int
    subsidy_fen: int
    due_fen: int
    firms: int


class SummaryOut(msgspec.Struct):
    month: str
    statements: int
    """Firms with an issued statement for the month (0 until the month has been issued)."""
    totals: GroupOut
    by_sector: list[GroupOut]
    by_qualification: list[GroupOut]
    by_facility_kind: list[GroupOut]


def group_out(group: Group) -> GroupOut:
    return GroupOut(group.key, group.amount_fen, group.subsidy_fen, group.due_fen, len(group.firms))


def summary_out(result: service.ParkSummary) -> SummaryOut:
    summary = result.summary
    return SummaryOut(
        result.month, result.issued, group_out(summary.total),
        [group_out(g) for g in summary.by_sector], [group_out(g) for g in summary.by_qualification],
        [group_out(g) for g in summary.by_facility_kind],
    )


class StatementSummaryController(Controller):
    path = "/api/v1/statements/summary"
    tags = ["billing"]
    guards = [manager_only]

    @get("/", summary="The park's month: billed, subsidised and due by sector, qualification and facility kind")
    async def summary(self, request: Request, settings: NamedDependency[Settings],
                      month: FromQuery[str | None] = None) -> SummaryOut:
        """Over the month's issued statements (default: the month that ended last). A firm
        with several qualifications counts under each, so that list may add up to more than
        the total."""
        result = await service.park_summary(caller(request), month, utc_now(), settings.zone)
        return summary_out(result)


ROUTES = [StatementController, StatementSummaryController]
