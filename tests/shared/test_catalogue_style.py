"""The catalogue's copy: English sentences start with a capital letter, Chinese uses full-width punctuation."""

from __future__ import annotations

import re

from park.shared.i18n import catalog

HAN = "\u3400-\u9fff"
HALF_WIDTH_BESIDE_HAN = re.compile(
    rf"(?<=[{HAN}）”])\s?[,;:!?]|[,;:!?]\s?(?=[{HAN}“（])|[{HAN}]\s?\(|\)\s?[{HAN}]|[{HAN}]\.$"
    rf"|[{HAN}]\s?[\"']|[\"']\s?[{HAN}]|[{HAN}]\s?\.\.\.")
"""A comma, semicolon, colon, mark, bracket, quote or ellipsis of the half-width set beside Chinese text
(a space between them too)."""
TYPED_AS_SHOWN = ("时:分",)
"""A format the reader types exactly (hours:minutes), not punctuation."""
SENTENCE = re.compile(r"[.?!]$")
STARTS_WELL = re.compile(r"^(%\(\w+\)s|[A-Z0-9\"“‘'(#])")
LITERAL_VALUES = re.compile(r"^[a-z_]+(, [a-z_]+)* or [a-z_]+\.$")
"""A list of the values a field takes, typed as shown ("instant or window.")."""


def english_offences(messages) -> list[str]:
    return [m for m in messages
            if SENTENCE.search(m) and not STARTS_WELL.match(m) and not LITERAL_VALUES.match(m)
            and "_" not in m.split(" ", 1)[0]]  # a sentence may start with a field's name (vacant_to ...)


def chinese_offences(texts) -> list[str]:
    found = []
    for text in texts:
        checked = text
        for typed in TYPED_AS_SHOWN:
            checked = checked.replace(typed, "")
        if HALF_WIDTH_BESIDE_HAN.search(checked):
            found.append(text)
    return found


def test_the_checks_find_a_lower_case_sentence_and_half_width_punctuation():
    assert english_offences(["override that first.", "Override that first.", "instant or window.",
                             "%(count)s entries.", "key"]) == ["override that first."]
    assert chinese_offences(["请选择(可选)", "请选择，然后确认。", "规则需要 FREQ,例如", "请按“时:分”填写。",
                             "时区（%(zone)s）。", "FREQ=WEEKLY;COUNT=4"]) == ["请选择(可选)", "规则需要 FREQ,例如"]
    assert chinese_offences(["时区 (%(zone)s)", "运行 'park report run' 即可", "正在加载...", "运行“park report run”即可",
                             "例如 09:00-12:00, 13:30-18:00。"]) == ["时区 (%(zone)s)", "运行 'park report run' 即可", "正在加载..."]


def test_every_english_sentence_of_the_catalogue_starts_with_a_capital_letter():
    assert english_offences(catalog("zh_Hans")) == []


def test_every_chinese_translation_uses_full_width_punctuation():
    assert chinese_offences(catalog("zh_Hans").values()) == []
