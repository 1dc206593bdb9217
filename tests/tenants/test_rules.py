"""The unified social credit code check (GB 32100-2015) and qualification validity."""

from datetime import date

import pytest

from park.tenants.rules import uscc_check_character, uscc_problem, valid_qualifications

REAL_CODES = [
    "91440300708461136T",  # Shenzhen firm, published licence
    "91110000802100433B",
    "9144030071526726XG",
    "91440300279446850J",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_firms_codes_are_valid(code):
    assert uscc_problem(code) is None


@pytest.mark.parametrize("code", REAL_CODES)
def test_changing_any_one_character_is_caught(code):
    for position in range(18):
        for replacement in "0A":
            if code[position] == replacement:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            if position == 17 or corrupted[17] != uscc_check_character(corrupted[:17]):
                assert uscc_problem(corrupted) is not None, corrupted


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("9144030070846113", "18 characters"),
        ("91440300708461136I", "capital letters"),
        ("X1440300708461136T", "registration authority"),
        ("0144030070846113 T", "capital letters"),
        ("91440300708461136U", "check character"),
    ],
)
def test_a_bad_code_says_what_is_wrong(code, says):
    assert says in uscc_problem(code)


def test_an_expired_qualification_no_longer_counts():
    records = [("leading_firm", date(2026, 1, 1)), ("alliance_member", None), ("original_brand", date(2027, 1, 1))]
    assert valid_qualifications(records, date(2026, 6, 1)) == ["alliance_member", "original_brand"]


def test_the_error_messages_name_every_sector_and_qualification():
    from park.tenants.model import QUALIFICATION_MESSAGE, SECTOR_MESSAGE
    from park.tenants.rules import QUALIFICATIONS, SECTORS

    assert all(sector in SECTOR_MESSAGE for sector in SECTORS)
    assert all(kind in QUALIFICATION_MESSAGE for kind in QUALIFICATIONS)
