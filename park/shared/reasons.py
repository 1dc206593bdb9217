"""Reasons stored with records as a code and parameters, said in the reader's language when read. Pure.

A record keeps `<field>_code` and `<field>_params` (JSON) beside its old text column; the text
stays as the fallback of rows written before codes (or of a reason a person typed). A
parameter is a plain value, or one of these JSON shapes, each said in the reader's language:

- `{"en": ..., "zh_Hans": ...}`: a name that has a form per language (a firm's, a building's);
- `{"reason": code, "params": {...}}`: another reason, said inside this one;
- `{"message": catalogue text, "params": {...}}`: a catalogue text (a refused rule's message);
- `{"term": [group, value]}`: a contract word's display name (park/shared/labels.py);
- `{"list": [...], "join": "names" | "clauses"}`: parameters joined as the language joins them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from park.shared.labels import N_, Term, label

Translate = Callable[..., str]
"""`translate(lang, text, **params)`: park.shared.i18n.translate."""

REASONS: dict[str, str] = {
    # A booking's status reason.
    "booking.closed": N_("The facility is closed for that period."),
    "booking.closed_because": N_("The facility is closed: %(reason)s"),
    "booking.taken_out_of_service": N_("The facility has been taken out of service."),
    "booking.no_show": N_("Nobody checked in within 15 minutes of the start."),
    "booking.not_decided": N_("Not decided before the start."),
    "booking.series_cancelled": N_("Series cancelled from this date."),
    "booking.draw_over_quota": N_("Not granted in the draw: %(violation)s."),
    "booking.draw_ranked_lower": N_("Another firm ranked higher in the draw for this time. Free instead: %(choices)s."),
    "booking.draw_ranked_lower_nothing_near": N_("Another firm ranked higher in the draw for this time. No free time nearby."),
    # A waitlist entry's status reason.
    "waitlist.slot_not_freed": N_("The slot did not free in time."),
    "waitlist.user_inactive": N_("The user is no longer active."),
    "waitlist.refused": N_("%(refusal)s"),
    # An allocation round's explanation of one assignment.
    "allocation.ranked": N_("Ranked %(rank)s of %(total)s (score %(score)s)."),
    "allocation.unit": N_("unit %(code)s (%(area)s m²)"),
    "allocation.unit_in_building": N_("unit %(code)s (%(area)s m², %(building)s)"),
    "allocation.only_fit": N_("%(ranked)s Given %(unit)s: the only unit that fits your application."),
    "allocation.best_fit": N_("%(ranked)s Given %(unit)s: the best fit of the %(count)s units that fit your "
                              "application (your first preferred building first, then the smallest area)."),
    "allocation.better_taken": N_("%(ranked)s Given %(unit)s. %(details)s."),
    "allocation.taken_one": N_("%(count)s unit that would have fit better went to higher-ranked applicants: %(names)s"),
    "allocation.taken_many": N_("%(count)s units that would have fit better went to higher-ranked applicants: %(names)s"),
    "allocation.needed_one": N_("%(count)s unit that would have fit better was the only way to house other applicants"),
    "allocation.needed_many": N_("%(count)s units that would have fit better were the only way to house other applicants"),
    "allocation.also_needed_one": N_("%(count)s more unit that would have fit better was the only way to house other applicants"),
    "allocation.also_needed_many": N_("%(count)s more units that would have fit better were the only way to house other applicants"),
    "allocation.nothing_fits": N_("%(ranked)s No unit fits your application: no %(kind)s between %(min)s and "
                                  "%(max)s m² is vacant for the whole term."),
    "allocation.nothing_fits_in_buildings": N_("%(ranked)s No unit fits your application: no %(kind)s between "
                                               "%(min)s and %(max)s m² is vacant for the whole term in the "
                                               "buildings you asked for."),
    "allocation.only_fit_taken": N_("%(ranked)s The only unit that fits your application (%(codes)s) went to "
                                    "a higher-ranked applicant: %(names)s."),
    "allocation.all_fits_taken": N_("%(ranked)s All %(count)s units that fit your application (%(codes)s) went "
                                    "to higher-ranked applicants: %(names)s."),
    "allocation.holder": N_("%(name)s (rank %(rank)s)"),
    "allocation.names_and_more": N_("%(names)s and %(more)s more"),
    "allocation.application": N_("application %(id)s"),
    "allocation.overridden": N_("%(explanation)s A park manager changed this to %(outcome)s: %(reason)s"),
    "allocation.to_unit": N_("unit %(code)s"),
    "allocation.to_no_unit": N_("no unit"),
}
"""Code → its catalogue text (English; translated by the catalogue). Codes are stored: never rename one."""

UNIT_KIND_NOUNS = {
    "office": N_("office unit"),
    "lab": N_("lab unit"),
    "studio": N_("studio unit"),
    "showroom": N_("showroom unit"),
    "warehouse": N_("warehouse unit"),
}
"""A unit kind as a noun inside a sentence (the labels are capitalised display names)."""

SEPARATORS = {
    "names": {"en": ", ", "zh_Hans": "、"},
    "clauses": {"en": "; ", "zh_Hans": "；"},
}


def reason(code: str, /, **params: Any) -> dict[str, Any]:
    """A reason as stored inside another's parameters."""
    return {"reason": code, "params": params}


def message(template: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A catalogue text with its parameters, as a parameter."""
    return {"message": template, "params": dict(params or {})}


def storable(params: Mapping[str, Any]) -> dict[str, Any]:
    """A message's parameters as JSON: a `Term` stays a catalogue text, any other value its text."""
    return {name: message(value) if isinstance(value, Term)
            else value if isinstance(value, (int, float, bool)) or value is None else str(value)
            for name, value in params.items()}


def named(name: str, name_en: str | None = None) -> dict[str, str]:
    """A name with its English form where it has one."""
    return {"en": name_en or name, "zh_Hans": name or name_en or ""}


def joined(items: list[Any], join: str = "names") -> dict[str, Any]:
    return {"list": items, "join": join}


def unit_kind_noun(kind: str) -> dict[str, Any]:
    return message(UNIT_KIND_NOUNS[kind]) if kind in UNIT_KIND_NOUNS else {"en": kind, "zh_Hans": kind}


def render(code: str, params: Mapping[str, Any] | None, lang: str, translate: Translate) -> str:
    """The reason `code` in `lang`; an unknown code says nothing (the caller falls back to the old text)."""
    template = REASONS.get(code)
    if template is None:
        return ""
    return _say(template, params or {}, lang, translate)


def _say(template: str, params: Mapping[str, Any], lang: str, translate: Translate) -> str:
    return translate(lang, template, **{name: _value(value, lang, translate) for name, value in params.items()})


def _value(value: Any, lang: str, translate: Translate) -> Any:
    if isinstance(value, list):
        return SEPARATORS["names"].get(lang, ", ").join(str(_value(v, lang, translate)) for v in value)
    if not isinstance(value, dict):
        return value
    if "reason" in value:
        return render(value["reason"], value.get("params"), lang, translate)
    if "message" in value:
        return _say(value["message"], value.get("params") or {}, lang, translate)
    if "term" in value:
        group, term = value["term"]
        return translate(lang, label(group, term))
    if "list" in value:
        separator = SEPARATORS.get(value.get("join", "names"), SEPARATORS["names"])
        return separator.get(lang, separator["en"]).join(str(_value(v, lang, translate)) for v in value["list"])
    return value.get(lang) or value.get("en") or ""


def said(row: Mapping[str, Any], field: str, lang: str, translate: Translate) -> str:
    """A record's `field` in `lang`: from `<field>_code` and `<field>_params` where it has a code,
    else its stored text (`<field>_zh` for Chinese where the record kept one)."""
    code = row.get(f"{field}_code")
    if code:
        params = row.get(f"{field}_params") or {}
        text = render(code, json.loads(params) if isinstance(params, str) else params, lang, translate)
        if text:
            return text
    if lang != "en" and row.get(f"{field}_zh"):
        return str(row[f"{field}_zh"])
    return translate(lang, str(row.get(field) or ""))  # a text Park wrote before codes is a catalogue text


def _english(_lang: str, text: str, /, **params: Any) -> str:
    return text % params if params else text


def english(code: str, params: Mapping[str, Any] | None) -> str:
    """The reason in English, the catalogue's own language: no catalogue needed."""
    return render(code, params, "en", _english)


def stored(field: str, code: str, /, **params: Any) -> dict[str, Any]:
    """The columns that store reason `code` in `field`: the code, its parameters, and its English as the text."""
    return {field: render(code, params, "en", _english), f"{field}_code": code, f"{field}_params": params}


def stored_params(value: Any) -> dict[str, Any]:
    """A `<field>_params` column's value as a mapping (JSON columns read as text unless asked)."""
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return dict(value or {})
