"""Page languages: catalogs read from park/locale/<lang>/LC_MESSAGES/*.po, negotiation and formatting.

Every domain keeps its own catalog file (accounts.po, bookings.po, ...); they merge into one
lookup per language at start-up. Message ids are the English texts.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

from park.settings import LOCALES
from park.shared.labels import Term

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
BABEL_LOCALES = {"zh_Hans": "zh_Hans_CN", "en": "en"}
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
    return dates.format_datetime(value.astimezone(zone), format=style, locale=babel_locale(lang))


def format_date(value: date | datetime | None, lang: str, style: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_date(value, format=style, locale=babel_locale(lang))


def format_time(value: datetime, lang: str, zone: ZoneInfo) -> str:
    return dates.format_time(value.astimezone(zone), format="short", locale=babel_locale(lang))


def format_span(starts_at: datetime, ends_at: datetime, lang: str, zone: ZoneInfo) -> str:
    """A period on the park's clock: the end's date only when it falls on another day."""
    if starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date():
        return f"{format_datetime(starts_at, lang, zone, 'short')}–{format_time(ends_at, lang, zone)}"
    return f"{format_datetime(starts_at, lang, zone, 'short')} – {format_datetime(ends_at, lang, zone, 'short')}"


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
