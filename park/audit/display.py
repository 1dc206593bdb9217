"""An audit entry in the reader's words: its action, each detail's name and value. Pure.

The log keeps codes (`booking.cancel`, `{"status": "pending"}`); the page and the files say them
through park/shared/labels.py. A code without a label is shown as it is, marked as code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.shared import i18n
from park.shared.labels import LABELS, N_, label

VALUE_TERMS = {
    "status": "booking_status",
    "role": "role",
    "sector": "sector",
    "booking_mode": "booking_mode",
    "locale": "language",
}
"""Detail keys whose values are contract words with a display name (label group)."""
ROLE_CHANGE_KEYS = ("from", "to")
"""user.role keeps the old and the new role under these keys."""
FIELD_LISTS = ("fields",)
"""Detail keys whose value lists the names of changed fields (said like detail keys)."""
CATALOGUE_TEXTS = ("reason",)
"""A reason Park wrote (a catalogue text) is said in the reader's language; one a person typed stays."""
DAYS = ("starts_on", "ends_on", "was", "valid_until")
INSTANTS = ("starts_at", "ends_at")
REFERENCES = {"tenant_id": "tenant", "user_id": "user", "facility_id": "facility", "unit_id": "unit", "proposed_unit_id": "unit"}
"""Detail keys that hold another record's id, and that record's kind (named through `names`)."""
YES, NO = N_("Yes"), N_("No")


@dataclass(frozen=True)
class DetailItem:
    key: str
    name: str
    """The key's display name in the reader's language, or the key itself when it has none."""
    known: bool
    value: str


def action_name(action: str, lang: str) -> str:
    """The action's display name, or its code when it has none."""
    return i18n.translate(lang, label("audit_action", action))


Names = Mapping[tuple[str, int], Mapping[str, str]]
"""(record kind, id) → its name and English name, for details that refer to a record by id."""


def detail_items(action: str, detail: Mapping[str, Any], lang: str, zone: ZoneInfo, names: Names | None = None) -> list[DetailItem]:
    """Each detail of an entry as (name, value) in `lang`, in the order the entry keeps them."""
    speaker = _Speaker(action, lang, zone, names)
    return [DetailItem(key, speaker.key_name(key), key in LABELS["audit_detail"], speaker.value(key, value))
            for key, value in _in_language(detail, lang).items()]


def detail_text(action: str, detail: Mapping[str, Any], lang: str, zone: ZoneInfo, names: Names | None = None) -> str:
    """The details in one line (for a file's cell)."""
    speaker = _Speaker(action, lang, zone, names)
    return speaker.pairs(_in_language(detail, lang))


def _in_language(detail: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    """A record's name in the reader's language: its English name under "name" in English where it
    has one, and only its Chinese name in Chinese (a change of the English name alone stays)."""
    if not detail.get("name_en") or "name" not in detail:
        return detail
    if lang == "en":
        return {key: value for key, value in detail.items() if key != "name_en"} | {"name": detail["name_en"]}
    return {key: value for key, value in detail.items() if key != "name_en"}


class _Speaker:
    """Says one entry's detail values in one language."""

    def __init__(self, action: str, lang: str, zone: ZoneInfo, names: Names | None = None) -> None:
        self.action, self.lang, self.zone, self.names = action, lang, zone, names or {}
        chinese = lang == "zh_Hans"
        self.list_separator = "、" if chinese else ", "
        self.pair_separator = "；" if chinese else "; "
        self.colon = "：" if chinese else ": "
        self.brackets = ("（", "）") if chinese else (" (", ")")

    def key_name(self, key: str) -> str:
        return i18n.translate(self.lang, label("audit_detail", key))

    def term(self, group: str, value: str) -> str:
        return i18n.translate(self.lang, label(group, value))

    def pairs(self, values: Mapping[str, Any]) -> str:
        return self.pair_separator.join(f"{self.key_name(k)}{self.colon}{self.value(k, v)}" for k, v in values.items())

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return i18n.translate(self.lang, YES if value else NO)
        if isinstance(value, Mapping):  # a part of the record (where a booking was): in brackets
            opening, closing = self.brackets
            inner = "，" if self.lang == "zh_Hans" else ", "
            return f"{opening.strip()}{inner.join(f'{self.key_name(k)}{self.colon}{self.value(k, v)}' for k, v in value.items())}{closing}"
        if isinstance(value, (list, tuple)):
            if key in FIELD_LISTS:
                return self.list_separator.join(self.key_name(str(item)) for item in value)
            if key == "qualifications":
                return self.list_separator.join(self.qualification(item) for item in value)
            return self.list_separator.join(self.value(key, item) for item in value)
        if isinstance(value, str):
            return self.text(key, value)
        if isinstance(value, float):
            return i18n.format_number(value, self.lang)
        if key in REFERENCES and isinstance(value, int):
            return self.reference(REFERENCES[key], value)
        return str(value)

    def reference(self, kind: str, record_id: int) -> str:
        """Another record by its name and id ("Dragonlight Media (12)"), or its id when it is gone."""
        named = self.names.get((kind, record_id))
        if not named:
            return str(record_id)
        opening, closing = self.brackets
        return f"{i18n.local(named, self.lang)}{opening}{record_id}{closing}"

    def text(self, key: str, value: str) -> str:
        group = VALUE_TERMS.get(key) or ("role" if self.action == "user.role" and key in ROLE_CHANGE_KEYS else None)
        if group:
            return self.term(group, value)
        if key in CATALOGUE_TEXTS:
            return i18n.translate(self.lang, value)
        if key in DAYS:
            return i18n.format_date(value, self.lang)
        if key in INSTANTS:
            try:
                return i18n.format_datetime(datetime.fromisoformat(value), self.lang, self.zone, "short")
            except ValueError:
                return value
        return value

    def qualification(self, item: Any) -> str:
        """A firm's qualification: its kind by name, with its certificate and validity when given."""
        if not isinstance(item, Mapping):
            return self.value("qualifications", item)
        kind = self.term("qualification", str(item.get("kind", "")))
        extras = [self.value(key, item[key]) for key in ("certificate_no", "valid_until") if item.get(key)]
        if not extras:
            return kind
        opening, closing = self.brackets
        return f"{kind}{opening}{self.list_separator.join(extras)}{closing}"
