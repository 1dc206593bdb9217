"""What every space page shares: the status names and the page helper."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from park.allocation.model import STATUS_NAMES
from park.shared.i18n import said
from park.shared.web import gettext_for, page, page_lang




def space_page(request: Request, template_name: str, status_code: int = 200, **context: Any) -> Template:
    """`page` plus the status names of applications and rounds."""
    _ = gettext_for(page_lang(request))
    buildings = context.get("buildings") or {}

    def unit_label(unit: dict[str, Any]) -> str:
        # Codes usually carry their building's (A-1203); add it only when they do not.
        code = buildings.get(unit.get("building"), {}).get("code", "")
        return unit["code"] if not code or unit["code"].startswith(code) else f"{code} {unit['code']}"

    return page(
        request, template_name, status_code=status_code,
        status_name=lambda status: _(STATUS_NAMES.get(status, status)), unit_label=unit_label, **context,
    )


def explanation(row: dict[str, Any], lang: str) -> str:
    return said(row, "explanation", lang)


UNIT_FORM_KEY = "unit_form"
"""Session key of a refused new-unit form, shown again once."""
