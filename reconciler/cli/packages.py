"""`catalog packages prune [DIR] --older-than 7d`: remove old XML packages from the store."""

from __future__ import annotations

from datetime import timedelta

import click

from reconciler import clock

EXAMPLES = """\b
Examples:
  catalog packages prune catalogs/shop --older-than 7d --dry-run   # list what would go
  catalog packages prune catalogs/shop --older-than 7d
"""


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    try:
        return timedelta(seconds=clock.seconds(value))
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@click.group(name="packages", epilog=EXAMPLES)
def command() -> None:
    """The XML packages published in the catalog's package_store."""


@command.command(name="prune", epilog=EXAMPLES)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--older-than",
    "age",
    required=True,
    callback=_duration,
    metavar="DURATION",
    help="Remove packages written longer ago than this: 90m, 12h, 7d, ...",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def prune(directory: str, age: timedelta, dry_run: bool) -> None:
    """Remove the packages older than DURATION from an s3 package store.

    Packages an interrupted apply left pending are kept. An http-put store cannot be listed:
    its storage's lifecycle rules remove old packages (README, "Package stores").
    """
    from reconciler.apply.journal import Journal
    from reconciler.catalog import load_catalog
    from reconciler.channels.prune import old_packages
    from reconciler.channels.store import open_store

    catalog = load_catalog(directory)
    if catalog.package_store is None:
        click.echo("No package_store in catalog.yaml: nothing to prune.")
        return
    store = open_store(catalog.package_store)
    pending = {p.package for p in Journal.for_catalog(catalog.root).pending()}
    old = old_packages(store, clock.now() - age, pending)
    for package in old:
        if not dry_run:
            store.remove(package.name)
        click.echo(f"{'would remove' if dry_run else 'removed'} {package.name}")
    verb = "would be removed" if dry_run else "removed"
    click.echo(f"{len(old)} package(s) {verb}.")
