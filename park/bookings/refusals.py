"""Broken booking rules as the contract's errors, and the database's own refusal of a clash."""

from __future__ import annotations

from park.bookings.model import Violation
from park.shared.errors import Conflict, FieldError, QuotaExceeded, ValidationFailed


def is_exclusion_violation(error: BaseException) -> bool:
    return getattr(error, "sqlstate", None) == "23P01"


def taken_meanwhile(error: BaseException) -> BaseException:
    """PostgreSQL's exclusion constraint refused the row: the same 409 a clash found by the rules gives."""
    if not is_exclusion_violation(error):
        return error
    return Conflict("Someone else has just booked that time; choose another time.", extra={"rule": "seats_free"})


def raise_violations(violations: list[Violation]) -> None:
    """Turn broken rules into the contract's errors: 422 for input, 409 for clashes and quotas.

    The violations ride along on the error (`error.violations`) so pages can
    show each message in the reader's language.
    """
    if not violations:
        return
    invalid = [v for v in violations if v.code == "validation"]
    if invalid:
        raise ValidationFailed([FieldError(v.field, v.template, dict(v.params)) for v in invalid], violations=invalid)
    first = violations[0]
    if first.code == "quota_exceeded":
        raise QuotaExceeded(first.template, params=dict(first.params), violations=[first])
    raise Conflict(first.template, params=dict(first.params), extra={"rule": first.rule}, violations=[first])
