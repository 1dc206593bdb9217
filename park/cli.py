"""The `park` command. A domain may add commands in park/<domain>/cli.py (a COMMANDS list imported here)."""

from __future__ import annotations

import asyncio
import getpass
import os

import click

from park.reports.cli import COMMANDS as REPORT_COMMANDS
from park.shared.commands import STARTUP_CHECK, fail, settings_or_exit
from park.startup import check_startup
from park.tenants.cli import COMMANDS as TENANT_COMMANDS

DOMAIN_COMMANDS = [*REPORT_COMMANDS, *TENANT_COMMANDS]
"""Each domain's park/<domain>/cli.py COMMANDS, mounted on `park`."""


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """Park: bookings and space for the Shenzhen Bay culture-tech base."""
    context.meta[STARTUP_CHECK] = check_startup


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to PARK_DATABASE_URL (idempotent)."""
    settings_or_exit()
    from park.shared.db import check_database
    from park.shared.migrate import upgrade_database

    async def run() -> str:
        if not await check_database():
            fail("PARK_DATABASE_URL: the database cannot be reached")
        return (await upgrade_database()).summary()

    click.echo(asyncio.run(run()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app and API."""
    settings = settings_or_exit()
    import uvicorn

    uvicorn.run(
        "park.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,
        log_level="warning",
    )


@main.command()
def scheduler() -> None:
    """Run the scheduled jobs only (for multi-process deployments), until stopped."""
    from park.jobs import run_forever

    settings = settings_or_exit()
    click.echo(f"Scheduler running in {settings.timezone}; stop with Ctrl-C.")
    asyncio.run(run_forever(settings))


@main.group()
def demo() -> None:
    """The demo base."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo base (buildings, facilities, units, tenants, users, a season of bookings) once."""
    settings = settings_or_exit()
    from park.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
    from park.shared.clock import utc_now
    from park.shared.db import close_database, open_database

    async def run() -> bool:
        engine = await open_database(settings)
        try:
            return await load_demo(utc_now(), settings.zone)
        finally:
            await close_database(engine)

    loaded = asyncio.run(run())
    click.echo("Demo base loaded." if loaded else "Demo base already present; nothing changed.")
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for role, email in DEMO_LOGINS:
        click.echo(f"  {role:<13} {email}")


@main.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["member", "tenant_admin", "manager", "admin"]))
@click.option("--tenant", "tenant_id", type=int, default=None, help="Tenant firm id (members and tenant admins).")
def user_create(email: str, name: str, role: str, tenant_id: int | None) -> None:
    """Create a user; the password comes from PARK_PASSWORD or a prompt."""
    settings = settings_or_exit()
    password = os.environ.get("PARK_PASSWORD") or getpass.getpass("Password: ")
    from park.shared.actor import SYSTEM
    from park.accounts.service import NewUser, create_user
    from park.shared.clock import utc_now
    from park.shared.db import close_database, open_database
    from park.shared.errors import DomainError

    async def run() -> dict:
        engine = await open_database(settings)
        try:
            return await create_user(SYSTEM, NewUser(email, name, password, role, tenant_id), utc_now())
        finally:
            await close_database(engine)

    try:
        row = asyncio.run(run())
    except DomainError as error:
        fail(error.detail, code=1)
    click.echo(f"Created user {row['id']} <{row['email']}> as {row['role']}.")


for _command in DOMAIN_COMMANDS:
    main.add_command(_command)


def run() -> None:
    main()


if __name__ == "__main__":
    run()
