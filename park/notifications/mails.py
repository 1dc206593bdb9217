"""The words of account mails (password reset, invitation), in the reader's language. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from park.shared.i18n import translate
from park.shared.labels import N_


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def password_reset_mail(lang: str, name: str, link: str, valid_minutes: int) -> Mail:
    _ = lambda text, **params: translate(lang, text, **params)  # noqa: E731
    return Mail(
        subject=_(N_("Set a new Park password")),
        body="\n".join([
            _(N_("Hello %(name)s,"), name=name),
            "",
            _(N_("Someone (we hope you) asked to set a new password for your Park account. Open this link to choose one:")),
            "",
            link,
            "",
            _(N_("The link works once, for %(minutes)s minutes."), minutes=valid_minutes),
            _(N_("If you did not ask, ignore this mail: your password stays as it is.")),
        ]),
    )


def invitation_mail(lang: str, inviter: str, firm: str, link: str, valid_hours: int) -> Mail:
    _ = lambda text, **params: translate(lang, text, **params)  # noqa: E731
    joining = _(N_("%(inviter)s invites you to Park, the booking system of the Shenzhen Bay Culture-Tech Base, for %(firm)s."),
                inviter=inviter, firm=firm) if firm else _(
        N_("%(inviter)s invites you to Park, the booking system of the Shenzhen Bay Culture-Tech Base."), inviter=inviter)
    return Mail(
        subject=_(N_("Your invitation to Park")),
        body="\n".join([
            joining,
            "",
            _(N_("Open this link to set your name and password:")),
            "",
            link,
            "",
            _(N_("The link works once, for %(hours)s hours."), hours=valid_hours),
        ]),
    )


def already_registered_mail(lang: str, name: str, inviter: str, sign_in_link: str, reset_link: str) -> Mail:
    """To an address that has an account already: the inviter is told nothing more than for any other address."""
    _ = lambda text, **params: translate(lang, text, **params)  # noqa: E731
    return Mail(
        subject=_(N_("Your invitation to Park")),
        body="\n".join([
            _(N_("Hello %(name)s,"), name=name),
            "",
            _(N_("%(inviter)s invited this address to Park, but it already has a Park account. Sign in as usual:"),
              inviter=inviter),
            "",
            sign_in_link,
            "",
            _(N_("Forgotten your password? Set a new one here:")),
            reset_link,
        ]),
    )
