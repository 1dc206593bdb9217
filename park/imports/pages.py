"""Import pages: choose a kind, upload a file, read every row's outcome and errors, then confirm.

The preview is a dry run of the real import. Confirming sends the same file back (compressed in
the form), and the import runs again in full: what was previewed is what gets checked."""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, URLEncodedBody
from litestar.response import Redirect, Template

from park.imports import service
from park.imports.columns import COLUMNS, KINDS
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import ValidationFailed
from park.shared.guards import manager_only
from park.shared.labels import N_
from park.shared.web import flash, gettext_for, page, page_lang, redirect, settings_of

KIND_NAMES = {"tenants": N_("Tenant firms"), "units": N_("Units"), "facilities": N_("Facilities"), "leases": N_("Leases")}


@dataclass
class UploadForm:
    kind: str = ""
    file: UploadFile | None = None


def pack(content: bytes) -> str:
    return base64.b64encode(zlib.compress(content, 9)).decode()


def unpack(text: str) -> bytes:
    try:
        return zlib.decompress(base64.b64decode(text.encode(), validate=True), bufsize=2**20)
    except (binascii.Error, zlib.error, ValueError):
        raise ValidationFailed.on("file", "The form lost the file; upload it again.") from None


class ImportPages(Controller):
    path = "/imports"
    include_in_schema = False
    guards = [manager_only]

    def _form(self, request: Request, status: int = 200, **context: Any) -> Template:
        return page(request, "imports/index.html", status_code=status, kinds=KINDS, kind_names=KIND_NAMES,
                    columns=COLUMNS, **({"kind": "tenants", "result": None, "errors": [], "file_error": ""} | context))

    async def _run(self, request: Request, kind: str, filename: str, content: bytes, dry_run: bool):
        now = utc_now()
        return await service.run_import(caller(request), kind, filename, content, dry_run=dry_run, now=now,
                                        today=now.astimezone(settings_of(request).zone).date(),
                                        lang=page_lang(request))

    @get("")
    async def index(self, request: Request) -> Template:
        return self._form(request)

    @post("/preview")
    async def preview(self, request: Request,
                      data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Template:
        _ = gettext_for(page_lang(request))
        kind = data.kind if data.kind in KINDS else "tenants"
        if not isinstance(data.file, UploadFile):
            return self._form(request, 422, kind=kind, file_error=_("Choose a file to import."))
        content = await data.file.read()
        filename = data.file.filename or ""
        try:
            result = await self._run(request, kind, filename, content, True)
        except service.ImportRefused as refused:
            result = refused.result
        except ValidationFailed as error:
            return self._form(request, 422, kind=kind, file_error=_(error.errors[0].message, **error.errors[0].params))
        lang = page_lang(request)
        return self._form(request, 422 if result.errors else 200, kind=kind, result=result,
                          errors=service.error_list(result.errors, lang), filename=filename,
                          packed=pack(content) if not result.errors else "")

    @post("/confirm")
    async def confirm(self, request: Request, data: URLEncodedBody[dict[str, str]]) -> Redirect | Template:
        _ = gettext_for(page_lang(request))
        kind = data.get("kind", "")
        if kind not in KINDS:
            return self._form(request, 422, file_error=_("Choose what to import."))
        filename = data.get("filename", "")[:200]
        try:
            content = unpack(data.get("packed", ""))
            result = await self._run(request, kind, filename, content, False)
        except service.ImportRefused as refused:
            lang = page_lang(request)
            return self._form(request, 422, kind=kind, result=refused.result, filename=filename,
                              errors=service.error_list(refused.result.errors, lang), packed="")
        except ValidationFailed as error:
            return self._form(request, 422, kind=kind, file_error=_(error.errors[0].message, **error.errors[0].params))
        flash(request, _("Imported %(file)s: %(created)s created, %(updated)s updated.", file=filename,
                         created=result.created, updated=result.updated), "success")
        return redirect("/imports")


ROUTES = [ImportPages]
