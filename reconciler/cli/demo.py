"""`catalog demo`: the whole job once, against the built-in sandbox, with a word between steps.

validate catalogs/demo -> seed the sandbox's product referential -> plan -> apply -> report ->
plan again (empty). The sandbox keeps its state in catalogs/demo/.catalog/, so a second run
finds the shop already up to date and says so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from reconciler.resources import DEMO_CATALOG


def say(text: str) -> None:
    click.echo("")
    click.secho(text, bold=True)


def seed_products(base_url: str, gtins: set[str]) -> int:
    """Add the demo's GTINs to the sandbox's product referential (admin route, local only)."""
    import httpx

    body = [{"gtin": g, "title": f"Demo product {g}"} for g in sorted(gtins)]
    answer = httpx.post(f"{base_url}/sandbox/products", json=body, timeout=30)
    answer.raise_for_status()
    return len(body)


EXAMPLES = """\b
Examples:
  catalog demo                     # the whole cycle on catalogs/demo, in a minute
"""


@click.command(name="demo", epilog=EXAMPLES)
@click.option(
    "--catalog",
    "directory",
    default=str(DEMO_CATALOG),
    show_default=True,
    type=click.Path(file_okay=False, exists=True),
    help="The demo catalog (an embedded-sandbox catalog).",
)
def command(directory: str) -> None:
    """Validate, plan, apply and plan again the demo catalog against the built-in sandbox."""
    from rich.console import Console

    from reconciler.apply.report import Progress, summary_lines
    from reconciler.apply.session import ApplySession, sandbox_root
    from reconciler.catalog import load_catalog, size_text
    from reconciler.errors import ReconcilerError
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.render.text import print_plan

    console = Console()
    say(f"1. Validate the catalog in {directory}")
    catalog = load_catalog(directory)
    if catalog.marketplace.sandbox != "embedded":
        raise ReconcilerError(f"{directory} does not use the embedded sandbox: no demo there")
    channels = ", ".join(f"{n} ({c.submission.value})" for n, c in sorted(catalog.channels.items()))
    click.echo(f"Valid: {size_text(catalog)}: {channels}.")

    state = Path(catalog.root) / ".catalog"
    with open_marketplace(catalog) as client:
        say("2. Start the sandbox marketplace and add the demo's products")
        count = seed_products(sandbox_root(client), {o.gtin for o in catalog.offers.values()})
        click.echo(
            f"The sandbox stands in for the marketplace; its state lives in {state}/.\n"
            f"Offers sell existing products: {count} demo GTINs were added to the sandbox's "
            "product referential\n(the stand-in for Cdiscount's catalogue, where real products "
            "already exist)."
        )
        session = ApplySession(catalog, client, Progress(click.echo))
        say("3. Plan: compare the catalog with the live offers")
        plan = session.plan()
        if plan.has_changes:
            print_plan(plan, console)
            say(
                "4. Apply: send the packages (JSON for Octopia, XML zip for Cdiscount), follow them"
            )
            click.echo("(`catalog apply` asks before sending; the demo approves on its own.)")
            report = session.apply(plan)
            say("5. Report: what the marketplace integrated or rejected, offer by offer")
            for line in summary_lines(report):
                click.echo(line)
        else:
            report = None
            click.echo(
                "Nothing to change: the sandbox already holds this catalog (the demo ran before),"
                "\nso steps 4 (apply) and 5 (report) have nothing to do."
            )
        say("6. Plan again: after an apply, the plan is empty")
        again = ApplySession(catalog, client, Progress(click.echo)).plan()
        print_plan(again, console)
    shown = os.path.relpath(directory)
    shown = directory if shown.startswith("..") else shown
    say(f"Next: change a price in {shown}/offers/clothes.yaml, then run")
    click.echo(f"  catalog plan {shown}\n  catalog apply {shown}")
    failed = report is not None and int(report.exit_code) != 0
    sys.exit(int(report.exit_code) if failed else 0)
