"""`park report run`: one snapshot now."""

from __future__ import annotations

import asyncio

import click

from park.reports.periods import PERIOD_EXAMPLES, PERIOD_KINDS


@click.group()
def report() -> None:
    """Occupancy reports."""


@report.command("run")
@click.option("--kind", required=True, type=click.Choice(PERIOD_KINDS))
@click.option(
    "--period",
    required=True,
    help="The period: " + ", ".join(f"{kind} {example}" for kind, example in PERIOD_EXAMPLES.items()),
)
def report_run(kind: str, period: str) -> None:
    """Produce one report snapshot now (once: an existing one is shown, not remade)."""
    from park.shared.commands import fail, settings_or_exit
    from park.reports.snapshots import produce_snapshot
    from park.shared.clock import utc_now
    from park.shared.db import close_database, open_database
    from park.shared.errors import DomainError

    settings = settings_or_exit()

    async def run():
        engine = await open_database(settings)
        try:
            return await produce_snapshot(kind, period, utc_now(), settings.zone, settings.base_url)
        finally:
            await close_database(engine)

    try:
        produced = asyncio.run(run())
    except DomainError as error:
        fail(error.detail, code=1)
        return
    snapshot = produced.snapshot
    totals = snapshot.data.get("totals", {})
    utilization = totals.get("utilization")
    state = "Produced" if produced.created else "Already produced"
    click.echo(f"{state}: {snapshot.kind} {snapshot.period} (snapshot {snapshot.id}).")
    click.echo(
        "Utilization: "
        + ("–" if utilization is None else f"{utilization * 100:.1f}%")
        + f" ({totals.get('booked_hours', 0)} of {totals.get('open_hours', 0)} open seat-hours booked)"
    )
    click.echo(f"{settings.base_url.rstrip('/')}/reports/snapshots/{snapshot.id}")


COMMANDS = [report]
