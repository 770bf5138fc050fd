"""`catalog operations [DIR] [--at DATETIME]`: the calendar of commercial operations."""

from __future__ import annotations

from datetime import datetime

import click

from reconciler import clock
from reconciler.errors import CatalogInvalid


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return clock.moment(value)
    except ValueError as err:
        why = f" ({err})" if str(err).startswith("the year") else ""
        raise click.BadParameter(
            f"{value!r} is not a date and time such as 2027-01-10T12:00 or "
            f"2027-01-10T12:00+01:00{why}"
        ) from None


EXAMPLES = """\b
Examples:
  catalog operations catalogs/shop                             # past, running, upcoming
  catalog operations catalogs/shop --at 2027-01-10T12:00       # prices at that moment
"""


@click.command(name="operations", epilog=EXAMPLES)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--at",
    callback=_moment,
    metavar="DATETIME",
    help="The moment to show (ISO 8601; no offset means Europe/Paris). Default: now.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 4) when a sale's reference price breaks the Omnibus rule.",
)
def command(directory: str, at: datetime | None, strict: bool) -> None:
    """Show the commercial operations (past, running, upcoming), the sale price of each offer
    they select, and the price every such offer has at a moment.

    Sales are checked against the git history of the offers (EU Omnibus rule: a reference price
    is at most the lowest price of the 30 days before the sale)."""
    from reconciler.catalog import check_catalog
    from reconciler.operations.calendar import build_calendar, calendar_text
    from reconciler.operations.omnibus import check_omnibus

    catalog, problems = check_catalog(directory)
    errors = [p for p in problems if p.severity == "error"]
    if catalog is None or errors:
        raise CatalogInvalid(errors)
    for warning in sorted(problems, key=lambda p: p.sort_key()):
        click.echo(f"warning: {warning}", err=True)
    now = clock.now()
    omnibus = check_omnibus(catalog, now)
    calendar = build_calendar(catalog, at or now, omnibus)
    click.echo(calendar_text(calendar), nl=False)
    found = omnibus.problems(catalog, strict=strict)
    if any(p.severity == "error" for p in found):
        raise CatalogInvalid([p for p in found if p.severity == "error"])
