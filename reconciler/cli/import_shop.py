"""`catalog import`: the live shop written as a catalog folder, so that a plan on it is empty."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.errors import ReconcilerError

if TYPE_CHECKING:  # imported lazily at run time: `catalog --help` stays fast
    from reconciler.catalog.model import Catalog, SalesChannel

EPILOG = """\b
Where the seller, channels and URLs come from:
  an existing catalog folder (its catalog.yaml is read; offers/ may be empty):
    catalog import catalogs/shop --out catalogs/shop --replace
  or options, for a first import:
    catalog import --seller-id 98979 --sales-channel cdiscount=CDISFR:xml \\
        --sales-channel marketplace-zz=SELLZZ:json --out catalogs/shop
  add --api-url/--auth-url for another marketplace than Octopia's (e.g. a sandbox server),
  or --sandbox embedded for the built-in one. Credentials: OCTOPIA_CLIENT_ID and
  OCTOPIA_CLIENT_SECRET, as for every command.

\b
Files: catalog.yaml (the most common values lifted into `defaults`), offers/*.yaml (one entry
per sku, `overrides` where channels differ) and operations/*.yaml (running and future sales).
Importing twice gives the same bytes; `catalog plan` on the result shows no change.
"""


class ImportUsage(ReconcilerError):
    """A mistake in how `catalog import` was called."""


def _sales_channels(specs: tuple[str, ...]) -> dict[str, SalesChannel]:
    from reconciler.catalog.model import SalesChannel, Submission

    channels = {}
    for spec in specs:
        name, _, rest = spec.partition("=")
        channel_id, _, submission = rest.partition(":")
        if not name or not channel_id or submission not in ("xml", "json"):
            raise ImportUsage(f"--sales-channel {spec!r}: write NAME=ID:xml or NAME=ID:json")
        channels[name] = SalesChannel(name, channel_id, Submission(submission))
    return channels


def _settings_from_options(
    out: Path, seller_id: int | None, specs: tuple[str, ...], urls: dict[str, str | None]
) -> Catalog:
    from reconciler.catalog.model import (
        Catalog,
        Guards,
        ManagePolicy,
        MarketplaceSettings,
    )

    if seller_id is None or not specs:
        raise ImportUsage(
            "say whose shop to import: a catalog folder, or --seller-id and --sales-channel"
        )
    given = {k: v for k, v in urls.items() if v}
    return Catalog(
        root=str(out),  # an embedded sandbox keeps its shop under <out>/.catalog
        seller_id=seller_id,
        marketplace=MarketplaceSettings(**given),
        channels=_sales_channels(specs),
        manage=ManagePolicy.LISTED,
        guards=Guards(),
        package_store=None,
        offers={},
    )


def _only(settings: Catalog, names: tuple[str, ...]) -> Catalog:
    from dataclasses import replace

    unknown = sorted(set(names) - set(settings.channels))
    if unknown:
        known = ", ".join(sorted(settings.channels))
        raise ImportUsage(f"unknown channel(s) {', '.join(unknown)}; known: {known}")
    if not names:
        return settings
    return replace(settings, channels={n: settings.channels[n] for n in sorted(set(names))})


def _bring_embedded_shop(settings: Catalog, out: Path) -> None:
    """An embedded sandbox keeps its shop in the catalog folder (.catalog/sandbox): the
    imported folder gets a copy, so that `catalog plan` there sees the shop it came from."""
    import shutil

    from reconciler.marketplace.connect import sandbox_state_dir

    source = sandbox_state_dir(settings)
    target = out / source.relative_to(Path(settings.root))
    if source.resolve() == target.resolve() or not source.is_dir():
        return
    if target.exists():
        click.echo(f"Note: {target} already exists and was left as it is.", err=True)
        return
    shutil.copytree(source, target)
    click.echo(f"Copied the embedded sandbox's shop to {target}.")


@click.command("import", epilog=EPILOG)
@click.argument("catalog_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The catalog folder to write.",
)
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option(
    "--split-by",
    type=click.Choice(["none", "channel", "prefix"]),
    default="none",
    show_default=True,
    help="One offers file, one per channel (set), or one per sku prefix (TSHIRT-RED-M: tshirt).",
)
@click.option("--replace", is_flag=True, help="Overwrite the catalog files already in --out.")
@click.option("--seller-id", type=int, help="The seller, when no catalog folder is given.")
@click.option(
    "--sales-channel",
    "sales_channels",
    multiple=True,
    metavar="NAME=ID:xml|json",
    help="A channel of the seller, when no catalog folder is given (repeatable).",
)
@click.option("--api-url", help="The marketplace API (default: Octopia's).")
@click.option("--auth-url", help="The token endpoint (default: Octopia's).")
@click.option(
    "--sandbox", type=click.Choice(["embedded"]), help="Import from the built-in sandbox."
)
def command(
    catalog_dir: Path | None,
    out: Path,
    channels: tuple[str, ...],
    split_by: str,
    replace: bool,
    seller_id: int | None,
    sales_channels: tuple[str, ...],
    api_url: str | None,
    auth_url: str | None,
    sandbox: str | None,
) -> None:
    """Write the live offers and operations of a shop as a catalog folder (--out)."""
    from reconciler.catalog import load_catalog
    from reconciler.clock import now
    from reconciler.importing.documents import SplitBy, catalog_documents
    from reconciler.importing.folder import write_folder
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.marketplace.live import read_live_offers

    if catalog_dir is not None and (seller_id or sales_channels or api_url or auth_url or sandbox):
        raise ImportUsage(
            "give a catalog folder or the --seller-id/--sales-channel options, not both"
        )
    urls = {"api_url": api_url, "auth_url": auth_url, "sandbox": sandbox}
    settings = (
        load_catalog(catalog_dir)
        if catalog_dir is not None
        else _settings_from_options(out, seller_id, sales_channels, urls)
    )
    settings = _only(settings, channels)
    with open_marketplace(settings) as client:
        live = read_live_offers(client, list(settings.channels.values()))
    files = catalog_documents(settings, live, now(), SplitBy(split_by))
    write_folder(out, files, replace=replace)
    skus = len({sku for _, sku in live})
    click.echo(
        f"Imported {len(live)} live offer(s), {skus} sku(s), from "
        f"{len(settings.channels)} channel(s) into {out}: {', '.join(files)}"
    )
    if settings.marketplace.sandbox:
        _bring_embedded_shop(settings, out)
    load_catalog(out)  # the import's own check: what it wrote is a valid catalog
