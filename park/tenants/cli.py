"""`park tenant create` and `park tenant list`: tenant firms from the command line."""

from __future__ import annotations

import asyncio

import click

from park.tenants.rules import QUALIFICATIONS, SECTORS


@click.group()
def tenant() -> None:
    """Tenant firms."""


def _run(work):
    from park.shared.commands import settings_or_exit
    from park.shared.db import close_database, open_database

    settings = settings_or_exit()

    async def run():
        engine = await open_database(settings)
        try:
            return await work(settings)
        finally:
            await close_database(engine)

    return asyncio.run(run())


@tenant.command("create")
@click.option("--name", required=True, help="Registered (Chinese) name.")
@click.option("--uscc", required=True, help="Unified social credit code (18 characters).")
@click.option("--sector", required=True, type=click.Choice(SECTORS))
@click.option("--name-en", default="")
@click.option("--qualification", "qualifications", multiple=True, type=click.Choice(QUALIFICATIONS),
              help="A qualification with no expiry recorded; repeat for several.")
def tenant_create(name: str, uscc: str, sector: str, name_en: str, qualifications: tuple[str, ...]) -> None:
    """Register a tenant firm (validated and audited like the API)."""
    from park.shared.actor import SYSTEM
    from park.shared.commands import fail
    from park.shared.clock import utc_now
    from park.shared.errors import DomainError
    from park.tenants import service
    from park.tenants.model import Qualification, TenantFields

    fields = TenantFields(name=name, name_en=name_en, uscc=uscc, sector=sector,
                          qualifications=[Qualification(kind) for kind in qualifications])

    async def work(settings):
        now = utc_now()
        return await service.create_tenant(SYSTEM, fields, now, now.astimezone(settings.zone).date())

    try:
        row = _run(work)
    except DomainError as error:
        fail(error.detail, code=1)
    click.echo(f"Registered tenant {row['id']}: {row['name']} ({row['uscc']}).")


@tenant.command("list")
@click.option("--q", default=None, help="Part of a name or code.")
def tenant_list(q: str | None) -> None:
    """List tenant firms: id, code, sector, qualifications valid today, name."""
    from park.shared.actor import SYSTEM
    from park.shared.clock import utc_now
    from park.tenants import service

    async def work(settings):
        today = utc_now().astimezone(settings.zone).date()
        return await service.list_tenants(SYSTEM, limit=200, offset=0, q=q, sector=None, today=today)

    rows, total = _run(work)
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['uscc']}  {row['sector']:<24} {','.join(row['qualifications']) or '-':<30} {row['name']}")
    click.echo(f"{total} firms")


COMMANDS = [tenant]
