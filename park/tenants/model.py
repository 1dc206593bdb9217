"""Tenant firms as plain data, and the checks a firm's fields must pass. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from park.shared.errors import FieldError
from park.shared.labels import N_
from park.tenants.rules import QUALIFICATIONS, SECTORS, normalise_uscc, uscc_problem

MAX_COUNT = 1_000_000
SECTOR_MESSAGE = N_(
    "Choose one of the sectors: creative_design, animation_games, digital_publishing, news_media, new_media, "
    "film_tv_performing_arts, cultural_tourism, intangible_heritage, high_end_printing, arts_crafts, cultural_software."
)
QUALIFICATION_MESSAGE = N_(
    "Choose qualifications from: leading_firm, backbone_firm, major_project, high_tech_enterprise, "
    "alliance_member, original_brand."
)


@dataclass(frozen=True)
class Qualification:
    kind: str
    certificate_no: str = ""
    valid_until: date | None = None


@dataclass(frozen=True)
class TenantFields:
    """A firm's editable fields; None in a change means "leave as it is"."""

    name: str | None = None
    name_en: str | None = None
    uscc: str | None = None
    sector: str | None = None
    qualifications: list[Qualification] | None = None
    staff_count: int | None = None
    rd_staff_count: int | None = None
    ip_count: int | None = None
    contact_email: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def tenant_problems(fields: TenantFields, *, creating: bool) -> list[FieldError]:
    """What is wrong with a new firm (all required fields) or a change (only the fields sent)."""
    problems: list[FieldError] = []
    if creating or fields.name is not None:
        if not (fields.name or "").strip():
            problems.append(FieldError("name", "Enter the firm's registered name."))
        elif len(fields.name or "") > 200:
            problems.append(FieldError("name", "Use at most 200 characters."))
    if fields.name_en is not None and len(fields.name_en) > 200:
        problems.append(FieldError("name_en", "Use at most 200 characters."))
    if creating or fields.uscc is not None:
        problem = uscc_problem(normalise_uscc(fields.uscc or ""))
        if problem:
            problems.append(FieldError("uscc", problem))
    if creating or fields.sector is not None:
        if fields.sector not in SECTORS:
            problems.append(FieldError("sector", SECTOR_MESSAGE))
    for item in fields.qualifications or []:
        if item.kind not in QUALIFICATIONS:
            problems.append(FieldError("qualifications", QUALIFICATION_MESSAGE))
            break
        if len(item.certificate_no) > 100:
            problems.append(FieldError("qualification_records", "A certificate number has at most 100 characters."))
            break
    for name in ("staff_count", "rd_staff_count", "ip_count"):
        value = getattr(fields, name)
        if value is not None and not 0 <= value <= MAX_COUNT:
            problems.append(FieldError(name, "Use a whole number from 0 upwards."))
    if (
        fields.staff_count is not None
        and fields.rd_staff_count is not None
        and fields.rd_staff_count > fields.staff_count
    ):
        problems.append(FieldError("rd_staff_count", "R&D staff cannot outnumber all staff."))
    return problems


def merge_qualifications(plain: list[str] | None, records: list[Qualification] | None) -> list[Qualification] | None:
    """Plain words (no expiry) and full records sent together; a record wins over a plain word of its kind."""
    if plain is None and records is None:
        return None
    merged = {item.kind: item for item in records or []}
    for kind in plain or []:
        merged.setdefault(kind, Qualification(kind))
    return list(merged.values())
