"""The audit log page for managers, with filters, and the same entries as CSV and Excel files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from park.shared.guards import manager_only
from park.shared.labels import LABELS, N_, label
from park.audit import display, service
from park.audit.api import AuditEntryOut, entry_out
from park.shared.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, rows_csv, rows_xlsx
from park.shared.api import caller
from park.shared.i18n import format_datetime, translate
from park.shared.web import gettext_for, page, page_lang, settings_of

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
"""The most entries one file holds (the newest first); narrow the filters for older ones."""
FILE_HEADINGS = (N_("When"), N_("Who"), N_("Action"), N_("Record type"), N_("Record"), N_("IP address"), N_("Details"))
FILE_SHEET = N_("Audit log")


@dataclass
class _Query:
    filters: dict[str, str]
    errors: dict[str, str]
    at_from: datetime | None
    at_before: datetime | None

    def listing(self) -> dict[str, Any]:
        """The filters as `service.list_entries` takes them."""
        return {"record_type": self.filters["record_type"] or None, "record_id": self.filters["record_id"] or None,
                "action": self.filters["action"] or None, "actor_email": self.filters["actor_email"] or None,
                "at_from": self.at_from, "at_before": self.at_before}


def _query(request: Request, values: dict[str, str | None]) -> _Query:
    """The chosen filters, a day that is no date named in `errors` and left out."""
    filters = {key: (value or "").strip() for key, value in values.items()}
    _ = gettext_for(page_lang(request))
    zone = settings_of(request).zone
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key in ("day_from", "day_to"):
        try:
            days[key] = date.fromisoformat(filters[key]) if filters[key] else None
        except ValueError:
            days[key], errors[key] = None, _("Enter a date like 2026-12-03.")
    return _Query(
        filters, errors,
        at_from=_day_starts(days["day_from"], zone) if days["day_from"] else None,
        # The last day counts whole: entries before the next day's midnight.
        at_before=_day_starts(days["day_to"] + timedelta(days=1), zone) if days["day_to"] else None,
    )


# The log's filters, as the page and its files take them from the query.
FILTERS = ("record_type", "record_id", "action", "actor_email", "day_from", "day_to")


class AuditPages(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def audit_log(
        self,
        request: Request,
        record_type: FromQuery[str | None] = None,
        record_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        actor_email: FromQuery[str | None] = None,
        day_from: FromQuery[str | None] = None,
        day_to: FromQuery[str | None] = None,
        page_number: FromQuery[int] = 1,
    ) -> Template:
        page_number = max(page_number, 1)
        query = _query(request, dict(zip(FILTERS, (record_type, record_id, action, actor_email, day_from, day_to))))
        lang = page_lang(request)
        _ = gettext_for(lang)
        zone = settings_of(request).zone
        actor = caller(request)
        rows, total = await service.list_entries(actor, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
                                                 **query.listing())
        recorded_actions, recorded_kinds = await service.recorded_choices(actor)
        entries = [entry_out(row) for row in rows]
        names = await service.referenced_names([entry.detail for entry in entries])
        chosen = {key: value for key, value in query.filters.items() if value}
        return page(
            request, "audit/list.html", entries=entries, total=total, filters=query.filters, errors=query.errors,
            details={entry.id: display.detail_items(entry.action, entry.detail, lang, zone, names) for entry in entries},
            page_number=page_number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            action_choices=_choices("audit_action", recorded_actions, _),
            record_type_choices=_choices("record_type", recorded_kinds, _),
            paging_query=urlencode(chosen),
            export_query=urlencode({key: value for key, value in chosen.items() if key not in query.errors}),
            action_names=LABELS["audit_action"],
        )

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: Request) -> Response[bytes]:
        """The filtered log as a file (CSV or Excel by the address), with the page's filters."""
        headings, lines = await _file_rows(request, {name: request.query_params.get(name) for name in FILTERS})
        if request.url.path.endswith(".csv"):
            return Response(rows_csv(headings, lines), media_type=CSV_MEDIA_TYPE,
                            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
        sheet = translate(page_lang(request), FILE_SHEET)
        return Response(rows_xlsx(headings, lines, sheet), media_type=XLSX_MEDIA_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="audit-log.xlsx"'})


async def _file_rows(request: Request, values: dict[str, str | None]) -> tuple[list[str], list[list[object]]]:
    """The entries the filters choose (a bad day is left out, as on the page), said in the reader's language."""
    query = _query(request, values)
    lang = page_lang(request)
    zone = settings_of(request).zone
    rows, _total = await service.list_entries(caller(request), limit=EXPORT_LIMIT, offset=0, **query.listing())
    entries = [entry_out(row) for row in rows]
    names = await service.referenced_names([entry.detail for entry in entries])
    return [translate(lang, heading) for heading in FILE_HEADINGS], [_file_line(entry, lang, zone, names) for entry in entries]


def _file_line(entry: AuditEntryOut, lang: str, zone: ZoneInfo, names: display.Names) -> list[object]:
    return [
        format_datetime(entry.at, lang, zone, "short"), entry.actor_email, display.action_name(entry.action, lang),
        translate(lang, label("record_type", entry.record_type)), entry.record_id, entry.ip,
        display.detail_text(entry.action, entry.detail, lang, zone, names),
    ]


def _day_starts(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the park-local `day` begins."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc)


def _choices(group: str, recorded: list[str], translate: Any) -> list[tuple[str, str]]:
    """Every known code of `group` and any other the log holds, as (code, translated name), by name."""
    codes = set(LABELS[group]) | {code for code in recorded if code}
    return sorted(((code, translate(label(group, code))) for code in codes), key=lambda item: item[1])


ROUTES: list[Any] = [AuditPages]
