"""Domain errors. Services raise these; park/app.py turns them into problem details and page messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from park.shared.labels import N_

NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class FieldError:
    """A refused input. `message` is English; with `params` it is a %-template from the
    catalogue (`%(name)s`), filled in the reader's language by `Problem.in_language`."""

    field: str
    message: str
    params: Mapping[str, Any] = field(default_factory=lambda: NO_PARAMS)

    @property
    def text(self) -> str:
        """The message in English, parameters filled in."""
        return self.message % dict(self.params) if self.params else self.message


class DomainError(Exception):
    """A request Park refuses. `code` is one of the contract's problem codes.

    `violations`: the broken rules behind it (values with a code, a field, an
    English message and a translatable template with parameters), so that a
    page can say each in the reader's language.
    """

    code = "validation"
    status = 422
    title = N_("Invalid input")

    def __init__(
        self, detail: str, *, params: Mapping[str, Any] | None = None,
        extra: dict[str, Any] | None = None, violations: Sequence[Any] = (),
    ) -> None:
        self.template = detail
        self.params: Mapping[str, Any] = MappingProxyType(dict(params)) if params else NO_PARAMS
        self.detail = detail % dict(self.params) if self.params else detail
        super().__init__(self.detail)
        self.extra = extra or {}
        self.violations = tuple(violations)


class ValidationFailed(DomainError):
    code = "validation"
    status = 422
    title = N_("Invalid input")

    def __init__(
        self, errors: list[FieldError] | FieldError, detail: str | None = None, *, violations: Sequence[Any] = ()
    ) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        self.detail_from_errors = detail is None
        super().__init__(detail or "; ".join(f"{e.field}: {e.text}" for e in self.errors), violations=violations)

    @classmethod
    def on(cls, field: str, message: str, **params: Any) -> ValidationFailed:
        """One refused field; `message` a catalogue text, `%(name)s` filled from `params`."""
        return cls([FieldError(field, message, MappingProxyType(params) if params else NO_PARAMS)])


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401
    title = N_("Sign-in required")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = N_("Not allowed")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = N_("Not found")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = N_("Conflict")


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 409
    title = N_("Quota exceeded")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    title = N_("Too many attempts")

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, extra={"retry_after": retry_after_s})
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    code = "unavailable"
    status = 503
    title = N_("Service unavailable")


_PLAIN_WORD = re.compile(r"[a-z]+\b(?![_=.(:])")


def sentence(text: str) -> str:
    """A message said on its own, starting with a capital letter: a broken rule's text is a clause
    ("it is fully booked at that time") so that it also fits inside a sentence. A text starting
    with a name that is typed as shown (a field, `skip_clashes=true`) keeps it."""
    return text[0].upper() + text[1:] if _PLAIN_WORD.match(text) else text


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem, ready to serialise."""

    status: int
    code: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=lambda: NO_PARAMS)
    """Fill `detail`'s `%(name)s`; an empty `detail` means "each field error, joined"."""

    def in_language(self, _: Callable[..., str]) -> Problem:
        """The same problem with title, detail and each field message said by `_` (a
        catalogue's `translate(text, **params)` for the reader's language)."""
        errors = [FieldError(e.field, sentence(_(e.message, **e.params))) for e in self.errors]
        detail = (sentence(_(self.detail, **self.params)) if self.detail
                  else "; ".join(f"{e.field}: {e.message}" for e in errors))
        return replace(self, title=_(self.title), detail=detail, errors=errors, params=NO_PARAMS)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "about:blank",
            "status": self.status,
            "title": self.title,
            "detail": self.detail,
            "code": self.code,
        }
        if self.code == "validation":
            body["errors"] = [{"field": e.field, "message": e.text} for e in self.errors]
        body.update(self.extra)
        return body


def problem_from(error: DomainError) -> Problem:
    return Problem(
        status=error.status,
        code=error.code,
        title=error.title,
        detail="" if getattr(error, "detail_from_errors", False) else error.template,
        errors=getattr(error, "errors", []),
        extra=error.extra,
        params=error.params,
    )
