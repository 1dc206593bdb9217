"""Page languages: catalogs read from park/locale/<lang>/LC_MESSAGES/*.po, negotiation and formatting.

Every domain keeps its own catalog file (accounts.po, bookings.po, ...); they merge into one
lookup per language at start-up. Message ids are the English texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

from park.settings import LOCALES
from park.shared import reasons
from park.shared.labels import Term

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# English as written in the park: day before month, the 24-hour clock of its opening hours and timeline.
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en_GB"}
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """msgid → translation for one language (empty for English: ids are English)."""
    messages: dict[str, str] = {}
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as po_file:
            for message in read_po(po_file, locale=BABEL_LOCALES.get(lang, lang)):
                if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                    messages[message.id] = message.string
    return messages


def local(row: Any, lang: str, field: str = "name") -> str:
    """A record's `field` in the reader's language: its English form (`<field>_en`) on an English page
    where one is recorded, else the field itself (names, platforms and addresses are kept in Chinese
    with an optional English form). `row` is a mapping or an object with those attributes."""
    get = row.get if isinstance(row, Mapping) else (lambda key: getattr(row, key, None))
    if lang == "en":
        return str(get(f"{field}_en") or get(field) or "")
    return str(get(field) or "")


def translate(lang: str, text: str, /, **params: object) -> str:
    """`text` in `lang`, its `%(name)s` filled from `params` (a `Term` parameter translated too)."""
    translated = catalog(lang).get(text, text) if lang != "en" else text
    if not params:
        return translated
    return translated % {name: translate(lang, value) if isinstance(value, Term) else value
                         for name, value in params.items()}


def negotiate(accept_language: str | None, default: str) -> str:
    """The best of our languages for an Accept-Language header."""
    if not accept_language:
        return default
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower()
        quality = 1.0
        for option in piece[1:]:
            if option.strip().startswith("q="):
                try:
                    quality = float(option.strip()[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((quality, tag))
    for _quality, tag in sorted(ranked, key=lambda item: -item[0]):
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return default


def valid_locale(value: str | None) -> str | None:
    return value if value in LOCALES else None


def babel_locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(lang, "en"))


def format_datetime(value: datetime | None, lang: str, zone: ZoneInfo, style: str = "medium") -> str:
    if value is None:
        return ""
    local, locale = value.astimezone(zone), babel_locale(lang)
    if style not in ("short", "medium"):
        return dates.format_datetime(local, format=style, locale=locale)
    # Bookings are on the minute: the date in the asked style, the time without seconds.
    joined = str(locale.datetime_formats[style])
    day = dates.format_date(local, format=style, locale=locale)
    return joined.replace("{1}", day).replace("{0}", dates.format_time(local, format="short", locale=locale))


def format_date(value: date | datetime | str | None, lang: str, style: str = "medium") -> str:
    """A day in the reader's format; also a day kept as ISO text (a snapshot's JSON, a policy file)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return dates.format_date(value, format=style, locale=babel_locale(lang))


def format_month(value: date | str | None, lang: str) -> str:
    """A month ("2026-11" or a day in it) as the reader writes it: 2026年11月, November 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:7] + "-01")
        except ValueError:
            return value
    return dates.format_skeleton("yMMMM", value, locale=babel_locale(lang))


def format_time(value: datetime, lang: str, zone: ZoneInfo) -> str:
    return dates.format_time(value.astimezone(zone), format="short", locale=babel_locale(lang))


def format_span(starts_at: datetime, ends_at: datetime, lang: str, zone: ZoneInfo) -> str:
    """A period on the park's clock: the end's date only when it falls on another day."""
    if starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date():
        return f"{format_datetime(starts_at, lang, zone, 'short')}–{format_time(ends_at, lang, zone)}"
    return f"{format_datetime(starts_at, lang, zone, 'short')} – {format_datetime(ends_at, lang, zone, 'short')}"


DAY_PATTERNS = {"en": "EEE d MMM", "zh_Hans": "M月d日 EEE"}
LONG_DAY_PATTERNS = {"en": "EEEE d MMMM y", "zh_Hans": "y年M月d日 EEEE"}


@lru_cache(maxsize=1024)
def format_day(day: date, lang: str, long: bool = False) -> str:
    """A day with its weekday: "Thu 10 Dec" / "12月10日 周四"; long: "Thursday 10 December 2026"."""
    pattern = (LONG_DAY_PATTERNS if long else DAY_PATTERNS).get(lang, DAY_PATTERNS["en"])
    return dates.format_date(day, pattern, locale=babel_locale(lang))


def format_when(starts_at: datetime, ends_at: datetime, lang: str, zone: ZoneInfo) -> str:
    """A booking's local weekday, date and times: "Thursday 10 December 2026, 10:00–11:00"."""
    starts, ends = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if starts.date() != ends.date():
        return format_span(starts_at, ends_at, lang, zone)
    separator = " " if lang == "zh_Hans" else ", "  # no half-width comma in Chinese: "2026年12月14日 星期一 10:00–13:00"
    return f"{format_day(starts.date(), lang, True)}{separator}{format_time(starts_at, lang, zone)}–{format_time(ends_at, lang, zone)}"


def format_number(value: float | int, lang: str) -> str:
    return numbers.format_decimal(value, locale=babel_locale(lang))


def format_percent(value: float, lang: str) -> str:
    return numbers.format_percent(value, format="#,##0.0%", locale=babel_locale(lang))


def format_money_fen(value_fen: int, lang: str) -> str:
    return numbers.format_currency(value_fen / 100, "CNY", locale=babel_locale(lang))


# Where translatable texts are found: `_()` and `N_()` calls, and the literal messages of domain errors.
EXTRACT_KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "DomainError": (1,),
    "ValidationFailed": None,
    "Unauthorized": (1,),
    "Forbidden": (1,),
    "NotFound": (1,),
    "Conflict": (1,),
    "QuotaExceeded": (1,),
    "RateLimited": (1,),
    "Unavailable": (1,),
    "on": (2,),
    "FieldError": (2,),
}
SOURCE_DIRS = (("park", "**.py", "python"), ("templates", "**.html", "jinja2"))


def extract_messages(root: Path | None = None) -> dict[str, list[str]]:
    """Every translatable literal text of the project → where it appears."""
    from babel.messages.extract import extract_from_dir

    root = root or Path(__file__).resolve().parent.parent.parent
    found: dict[str, list[str]] = {}
    for folder, pattern, method in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root / folder), method_map=[(pattern, method)], keywords=EXTRACT_KEYWORDS,
            options_map={pattern: {"extensions": "jinja2.ext.do"}} if method == "jinja2" else None,
        ):
            if isinstance(message, str) and message.strip():
                found.setdefault(message, []).append(f"{folder}/{filename}:{lineno}")
    return found


def missing_translations(lang: str = "zh_Hans") -> dict[str, list[str]]:
    translations = catalog(lang)
    return {message: places for message, places in extract_messages().items() if message not in translations}


if __name__ == "__main__":  # `make messages`: list what still needs a translation
    missing = missing_translations()
    for message, places in sorted(missing.items(), key=lambda item: item[1][0]):
        print(f"{places[0]}\n  msgid {message!r}")
    print(f"{len(missing)} texts without a Simplified Chinese translation")


def say_reason(code: str, params: Mapping[str, Any] | None, lang: str) -> str:
    """A stored reason (park/shared/reasons.py) in `lang`."""
    return reasons.render(code, params, lang, translate)


def said(row: Mapping[str, Any], field: str, lang: str) -> str:
    """A record's stored reason `field` in `lang`, from its code where it has one, else its text."""
    return reasons.said(row, field, lang, translate)
