"""Imports API: a CSV or XLSX of tenants, units, facilities or leases; a dry run previews it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery

from park.imports import files, service
from park.imports.columns import KINDS
from park.shared.api import caller, one_of, reader_lang
from park.shared.clock import utc_now
from park.shared.errors import NotFound, ValidationFailed
from park.shared.guards import manager_only


@dataclass
class ImportForm:
    file: UploadFile


class ErrorOut(msgspec.Struct):
    row: int
    field: str
    message: str


class RowOut(msgspec.Struct):
    row: int
    action: str
    """created, updated or unchanged (empty for a row with errors)."""
    values: dict[str, Any]


class PreviewOut(msgspec.Struct):
    rows: list[RowOut]
    errors: list[ErrorOut]
    created: int
    updated: int


class DoneOut(msgspec.Struct):
    created: int
    updated: int


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound("There is no such import; use tenants, units, facilities or leases.")
    return kind


async def read_upload(upload: UploadFile | None) -> tuple[str, bytes]:
    if not isinstance(upload, UploadFile):
        raise ValidationFailed.on("file", "Send the file as the multipart field 'file'.")
    return upload.filename or "", await upload.read()


def preview_out(result: service.ImportResult, lang: str) -> PreviewOut:
    return PreviewOut(
        rows=[RowOut(row["row"], row["action"], {k: str(v) if not isinstance(v, (int, float, bool, list, str)) else v
                                                  for k, v in row["values"].items()}) for row in result.rows],
        errors=[ErrorOut(**error) for error in service.error_list(result.errors, lang)],
        created=result.created, updated=result.updated,
    )


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["imports"]
    guards = [manager_only]

    @post("/{kind:str}", summary="Import a CSV or XLSX file (multipart field 'file'); dry_run=true previews")
    async def run(self, request: Request, kind: FromPath[str],
                  data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
                  dry_run: FromQuery[str | None] = None) -> Response[Any]:
        """All or nothing: a refused row (422, `errors` with row, field, message) writes nothing.
        Rows whose record exists (firm by USCC, unit by building and code, facility by code,
        lease by unit, firm and dates) are updated, or left alone when unchanged."""
        chosen = one_of(dry_run, ("true", "false", "1", "0"), "dry_run")
        filename, content = await read_upload(data.file)
        lang = reader_lang(request)
        now = utc_now()
        result = await service.run_import(
            caller(request), _kind(kind), filename, content, dry_run=chosen in ("true", "1"), now=now,
            today=now.astimezone(request.app.state.settings.zone).date(), lang=lang,
        )
        if result.dry_run:
            return Response(preview_out(result, lang), status_code=200)
        return Response(DoneOut(result.created, result.updated), status_code=201)

    @get("/{kind:str}/template", summary="A blank import file (format=csv or xlsx) with the column headings")
    async def template(self, request: Request, kind: FromPath[str],
                       format: FromQuery[str | None] = None) -> Response[bytes]:
        """The XLSX has a second sheet explaining each column in the reader's language."""
        fmt = one_of(format, ("csv", "xlsx"), "format") or "xlsx"
        media = files.CSV_MEDIA_TYPE if fmt == "csv" else files.XLSX_MEDIA_TYPE
        return Response(files.template(_kind(kind), fmt, reader_lang(request)), media_type=media, headers={
            "Content-Disposition": f'attachment; filename="park-{kind}.{fmt}"'})


ROUTES = [ImportController]
