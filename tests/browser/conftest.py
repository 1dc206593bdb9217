"""End-to-end fixtures: the demo base served by a real `park serve`, driven by Debian's Chromium.

The browser tests are plain (non-async) functions: Playwright's sync API cannot run
inside the event loop pytest-asyncio gives async tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import support
from tests.browser.steps import Browser

CHROMIUM = os.environ.get("PARK_CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download cannot work here: we drive the system Chromium with these flags.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


def _why_not_runnable() -> str | None:
    if support.BACKEND == "postgres":
        return "browser tests run once, on the SQLite pass (PARK_TEST_BACKEND=postgres)"
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set PARK_CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def _run(work) -> None:
    """Run `work()` (a coroutine) against the database, on a thread of its own: Playwright's loop owns this one."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(_with_database(work))
        except BaseException as error:  # handed back to the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def _with_database(work) -> None:
    from park.settings import load_settings
    from park.shared.db import close_database, open_database

    engine = await open_database(load_settings())
    try:
        await work()
    finally:
        await close_database(engine)


def _load_demo() -> None:
    from park.demo import load_demo
    from park.settings import load_settings
    from park.shared.clock import utc_now

    _run(lambda: load_demo(utc_now(), load_settings().zone))


def _forget_language_choices() -> None:
    """Each test starts from the demo's users as loaded: no language chosen yet."""
    from park.accounts.tables import User

    _run(lambda: User.update({User.locale: ""}, force=True))


def _empty_database() -> None:
    from tests.conftest import _empty_tables

    _run(_empty_tables)


@pytest.fixture(scope="package")
def site() -> Iterator[str]:
    """The demo base on this run's database, served by a real process; its base URL. Emptied afterwards."""
    reason = _why_not_runnable()
    if reason:
        pytest.skip(reason)
    _empty_database()
    _load_demo()
    try:
        with support.live_server() as base_url:
            yield base_url
    finally:
        _empty_database()


@pytest.fixture(scope="package")
def chromium(site) -> Iterator[object]:
    """One Chromium for the package (Playwright gives each launch a fresh, temporary user-data dir)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(request: pytest.FixtureRequest, chromium, site) -> Iterator[Browser]:
    """A fresh browser profile per test (no cookies carried over); `browser.open(...)` gives pages.

    When the test fails, each of its open pages is saved as `FAILED-<test>-<n>.png`.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session = Browser(chromium, site, SCREENSHOTS)
    try:
        yield session
    finally:
        if request.node.stash.get(FAILED, False):
            pages = [page for context in session.contexts for page in context.pages]
            for number, page in enumerate(pages, 1):
                session.shot(page, f"FAILED-{request.node.name}-{number}")
        session.close()
        _forget_language_choices()
    # Every page of every journey: no script error, no resource refused by the security policy, no broken asset.
    assert session.problems == [], session.problems
