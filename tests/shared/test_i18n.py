"""Every page text speaks Simplified Chinese and English."""

from park.shared import i18n


def test_every_translatable_text_has_a_simplified_chinese_translation():
    missing = i18n.missing_translations("zh_Hans")
    report = "\n".join(f"{places[0]}: {message!r}" for message, places in sorted(missing.items()))
    assert not missing, f"{len(missing)} texts lack a translation (run `make messages`):\n{report}"


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
    assert "Nov 24, 2026" in i18n.format_datetime(instant, "en", shanghai)
    assert i18n.format_money_fen(123450, "en") == "CN¥1,234.50"
    assert i18n.format_number(1234567, "zh_Hans") == "1,234,567"
