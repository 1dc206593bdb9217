"""Every page text speaks Simplified Chinese and English."""

from park.shared import i18n


def test_every_translatable_text_has_a_simplified_chinese_translation():
    missing = i18n.missing_translations("zh_Hans")
    report = "\n".join(f"{places[0]}: {message!r}" for message, places in sorted(missing.items()))
    assert not missing, f"{len(missing)} texts lack a translation (run `make messages`):\n{report}"


def test_a_text_has_one_translation_whichever_catalogue_holds_it():
    # The catalogues are read in name order into one table: a second, different translation would
    # silently win or lose by the file's name.
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po_file:
            for message in read_po(po_file):
                if not message.id or not message.string or message.fuzzy:
                    continue
                earlier = seen.setdefault(str(message.id), (path.name, str(message.string)))
                if earlier[1] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[0]} says {earlier[1]!r}, {path.name} says {message.string!r}")
    assert not clashes, "\n".join(clashes)


def test_translations_keep_their_placeholders():
    for message, translation in i18n.catalog("zh_Hans").items():
        for placeholder in ("%(", "{"):
            assert message.count(placeholder) == translation.count(placeholder), (message, translation)


def test_browser_languages_choose_the_page_language():
    assert i18n.negotiate("en-US,en;q=0.9", "zh_Hans") == "en"
    assert i18n.negotiate("zh-CN,zh;q=0.9,en;q=0.8", "en") == "zh_Hans"
    assert i18n.negotiate("fr-FR", "zh_Hans") == "zh_Hans"
    assert i18n.negotiate(None, "en") == "en"


def test_numbers_dates_and_money_are_formatted_for_the_language():
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    instant = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert "2026年11月24日" in i18n.format_datetime(instant, "zh_Hans", shanghai)
    assert i18n.format_datetime(instant, "en", shanghai) == "24 Nov 2026, 09:30", "day before month, 24-hour clock, no seconds"
    assert i18n.format_datetime(instant, "zh_Hans", shanghai) == "2026年11月24日 09:30"
    assert i18n.format_money_fen(123450, "en") == "CN¥1,234.50"
    assert i18n.format_number(1234567, "zh_Hans") == "1,234,567"


def test_a_day_kept_as_iso_text_is_shown_in_the_readers_format_too():
    from datetime import date

    assert i18n.format_date("2026-12-31", "zh_Hans") == i18n.format_date(date(2026, 12, 31), "zh_Hans") == "2026年12月31日"
    assert i18n.format_date("2026-12-31", "en") == "31 Dec 2026"
    assert i18n.format_date("", "en") == ""


def test_a_month_is_written_as_the_reader_writes_it():
    assert i18n.format_month("2026-11", "zh_Hans") == "2026年11月"
    assert i18n.format_month("2026-11", "en") == "November 2026"
    assert i18n.format_month("not a month", "en") == "not a month"


def test_every_display_name_starts_with_a_capital_letter_and_reads_in_both_languages():
    """Labels stand alone (a badge, a column, a list choice): each starts with a capital, and its
    Chinese passes the same full-width check as the rest of the catalogue."""
    import re

    from park.shared.labels import LABELS
    from tests.shared.test_catalogue_style import chinese_offences

    names = [name for group in LABELS.values() for name in group.values()]
    assert [name for name in names if not re.match(r"[A-Z0-9]", name)] == []
    translations = i18n.catalog("zh_Hans")
    assert [name for name in names if name not in translations] == []
    assert chinese_offences(translations[name] for name in names) == []


def test_a_rule_said_on_its_own_starts_with_a_capital_letter():
    from park.shared.errors import Conflict, sentence
    from park.shared.web import error_message, gettext_for

    assert sentence("it is fully booked at that time; choose another time") == "It is fully booked at that time; choose another time"
    assert sentence("skip_clashes=true books the others") == "skip_clashes=true books the others"  # typed as shown
    assert sentence("iCalendar feed") == "iCalendar feed" and sentence("该时段已满") == "该时段已满"
    refused = Conflict("it is fully booked at that time; choose another time")
    assert error_message(refused, gettext_for("en")) == "It is fully booked at that time; choose another time"
    assert error_message(refused, gettext_for("zh_Hans")) == "该时段已满；请选择其他时间"
