"""Tenant rules: the unified social credit code (GB 32100-2015), sectors, qualifications. Pure."""

from __future__ import annotations

from datetime import date

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use (no I, O, S, V, Z)."""
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
REGISTRATION_AUTHORITIES = "123456789ANY"

SECTORS = (
    "creative_design",
    "animation_games",
    "digital_publishing",
    "news_media",
    "new_media",
    "film_tv_performing_arts",
    "cultural_tourism",
    "intangible_heritage",
    "high_end_printing",
    "arts_crafts",
    "cultural_software",
)

QUALIFICATIONS = (
    "leading_firm",
    "backbone_firm",
    "major_project",
    "high_tech_enterprise",
    "alliance_member",
    "original_brand",
)


def uscc_check_character(first_17: str) -> str:
    """The 18th character of a code whose first 17 characters are given."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first_17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None for a valid code, else what is wrong with it, in words a clerk can act on."""
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    if any(char not in USCC_ALPHABET for char in code):
        return "A unified social credit code uses only digits and the capital letters A-Y except I, O, S, V, Z."
    if code[0] not in REGISTRATION_AUTHORITIES:
        return "The first character (registration authority) is not a valid one."
    if not code[2:8].isdigit():
        return "Characters 3 to 8 must be the six-digit administrative division code."
    if uscc_check_character(code[:17]) != code[17]:
        return "The check character does not match: the code has a typing error."
    return None


def normalise_uscc(code: str) -> str:
    return code.strip().upper()


def valid_qualifications(records: list[tuple[str, date | None]], on: date) -> list[str]:
    """Qualification kinds that count on `on`: no expiry recorded, or valid until that day or later."""
    return sorted({kind for kind, valid_until in records if valid_until is None or valid_until >= on})
