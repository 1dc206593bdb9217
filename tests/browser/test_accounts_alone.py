"""A firm's administrator invites a colleague by e-mail, the colleague joins; someone who forgot the password sets a new one.

Each journey in Chinese and in English; every step is looked at 360 px and 1366 px wide.
"""

from __future__ import annotations

import pytest

from tests.accounts.test_links import _token_in
from tests.browser.conftest import _run
from tests.browser.steps import DEMO_PASSWORD, TENANT_ADMIN, html_lang, scrolls_sideways, sign_in, visible_text, zh

WIDTHS = {"narrow": {"width": 360, "height": 780}, "wide": {"width": 1366, "height": 900}}
NEW_PASSWORD = "lantern-harbour-41"


def _last_mail(email: str) -> str:
    """The body of the last message the outbox holds for `email`."""
    from park.notifications.tables import OutboxMessage

    found: list[str] = []

    async def read() -> None:
        rows = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.to_email == email).order_by(
            OutboxMessage.id, ascending=False).limit(1)
        found.extend(row["body"] for row in rows)

    _run(read)
    assert found, f"no mail to {email}"
    return found[0]


def _look(browser, page, name: str, language: str) -> None:
    """The step at both widths, in the reader's language, nothing sticking out sideways; a screenshot of each.

    (Which words of a page are in which script is tests/test_one_language.py's work: people's names are Chinese.)
    """
    assert html_lang(page) == ("zh-Hans" if language == "zh_Hans" else "en"), name
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        assert scrolls_sideways(page) == [], (name, width)
        browser.shot(page, f"accounts-{name}-{language}-{width}")


def _t(language: str, text: str) -> str:
    return zh(text) if language == "zh_Hans" else text


def _invite(admin, email: str, language: str) -> None:
    """The firm's administrator signs in and invites `email` from the people page."""
    sign_in(admin, TENANT_ADMIN, DEMO_PASSWORD)
    admin.goto("/my-firm/users")
    admin.locator("#invite-email").fill(email)
    with admin.expect_navigation():
        admin.get_by_role("button", name=_t(language, "Send the invitation")).click()


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_an_administrator_invites_a_colleague_who_joins_and_signs_in(browser, language):
    joiner = f"joiner-{language.lower()}@dragonlight.demo"
    admin = browser.open("/", viewport="narrow", language=language)
    _invite(admin, joiner, language)
    assert joiner in visible_text(admin, "main")
    _look(browser, admin, "invited", language)

    link = "/invitation/" + _token_in(_last_mail(joiner), "/invitation")
    colleague = browser.open(link, viewport="narrow", language=language)
    assert joiner in visible_text(colleague, "main")
    _look(browser, colleague, "join-form", language)
    colleague.locator("#name").fill("Lin Xiaoyu")
    colleague.locator("#password").fill(NEW_PASSWORD)
    colleague.locator("#confirm_password").fill(NEW_PASSWORD)
    with colleague.expect_navigation():
        colleague.get_by_role("button", name=_t(language, "Create my account")).click()
    sign_in(colleague, joiner, NEW_PASSWORD)
    assert "Lin Xiaoyu" in visible_text(colleague, "header")

    colleague.goto(link)  # the link works once
    assert _t(language, "This link no longer works") in visible_text(colleague, "main")
    _look(browser, colleague, "spent-invitation", language)


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_forgot_password_mails_a_link_that_sets_a_new_one(browser, language):
    email = f"forgetful-{language.lower()}@dragonlight.demo"
    admin = browser.open("/", viewport="wide", language=language)
    _invite(admin, email, language)
    person = browser.open("/invitation/" + _token_in(_last_mail(email), "/invitation"), viewport="wide", language=language)
    person.locator("#name").fill("Chen Mo")
    for field in ("#password", "#confirm_password"):
        person.locator(field).fill(NEW_PASSWORD)
    with person.expect_navigation():
        person.get_by_role("button", name=_t(language, "Create my account")).click()

    visitor = browser.open("/login", viewport="wide", language=language)
    with visitor.expect_navigation():
        visitor.get_by_role("link", name=_t(language, "Forgot password?")).click()
    _look(browser, visitor, "reset-request", language)
    visitor.locator("#email").fill(email)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name=_t(language, "Mail me a link")).click()
    _look(browser, visitor, "reset-sent", language)

    visitor.goto("/password-reset/" + _token_in(_last_mail(email), "/password-reset"))
    _look(browser, visitor, "reset-form", language)
    renewed = "harbour-lantern-73"
    for field in ("#password", "#confirm_password"):
        visitor.locator(field).fill(renewed)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name=_t(language, "Set the password")).click()
    assert "/login" in visitor.url
    sign_in(visitor, email, renewed)
    assert "Chen Mo" in visible_text(visitor, "header")
