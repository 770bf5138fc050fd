"""`catalog import`: the live shop written as a catalog folder, so that a plan on it is empty."""

from __future__ import annotations

from pathlib import Path

import click

EPILOG = """\b
Examples, by where the seller, channels and URLs come from:
  an existing catalog folder (its catalog.yaml is read; offers/ may be empty):
    catalog import catalogs/shop --out catalogs/shop --replace
  or, run inside a catalog folder, that folder:
    cd catalogs/shop && catalog import --out ../shop-imported
  or options, for a first import:
    catalog import --seller-id 98979 --sales-channel cdiscount=CDISFR:xml \\
        --sales-channel marketplace-zz=SELLZZ:json --out catalogs/shop
  add --api-url/--auth-url for another marketplace than Octopia's (e.g. a sandbox server),
  or --sandbox embedded for the built-in one. Credentials: OCTOPIA_CLIENT_ID and
  OCTOPIA_CLIENT_SECRET, as for every command.
  --stock unmanaged leaves the stock to the marketplace and your other tools;
  --stock csv:exports/stock.csv takes it from that export (written now with the live stock).

\b
Files: catalog.yaml (the most common values lifted into `defaults`), offers/*.yaml (one entry
per sku, `overrides` where channels differ) and operations/*.yaml (running and future sales).
Importing twice gives the same bytes; `catalog plan` on the result shows no change.
With --replace over an existing catalog, the import updates it in place: catalog.yaml, each
sku's file and tags, operation names and selectors are kept, and an offers file whose offers
did not change is not touched (its comments stay); what could not be kept is listed.
A field the marketplace does not return is never invented: it comes from --default FIELD=VALUE
or the catalog folder's defaults (the import says which), or the import stops naming it.
"""


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
@click.option(
    "--stock",
    "stock_owner",
    default="catalog",
    show_default=True,
    metavar="catalog|unmanaged|csv:PATH",
    help="Who owns the stock: the offers files, nobody (unmanaged: never compared), or a CSV "
    "export in the folder (declared as source erp-stock, first written with the live stock).",
)
@click.option(
    "--default",
    "default_values",
    multiple=True,
    metavar="FIELD=VALUE",
    help="The value of a field the marketplace does not return (vat=20, preparation_days=2, "
    "'delivery=[{mode: TRK, cost: 4.9, additional_cost: 1}]'); wins over catalog.yaml defaults.",
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
    stock_owner: str,
    default_values: tuple[str, ...],
) -> None:
    """Write the live offers and operations of a shop as a catalog folder (--out)."""
    from reconciler.catalog import load_catalog
    from reconciler.clock import now
    from reconciler.importing.documents import SplitBy, catalog_documents
    from reconciler.importing.fill import fill_unknown, given_defaults
    from reconciler.importing.folder import bring_embedded_shop, write_folder
    from reconciler.importing.owners import StockOwnerUnknown, stock_owners
    from reconciler.importing.source import ImportUsage, only_channels, settings_from_options
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.marketplace.live import read_live_offers
    from reconciler.plan.readback import set_aside
    from reconciler.state import ignore_in_git

    marketplace = {"api_url": api_url, "auth_url": auth_url, "sandbox": sandbox}
    given = seller_id or sales_channels or any(marketplace.values())
    if catalog_dir is None and not given and Path("catalog.yaml").is_file():
        catalog_dir = Path(".")  # run inside a catalog folder: its settings, as plan does
    if catalog_dir is None:
        settings = settings_from_options(out, seller_id, sales_channels, marketplace)
    elif given:
        raise ImportUsage("give a catalog folder or the --seller-id/--sales-channel options")
    else:
        settings = load_catalog(catalog_dir)
    settings = only_channels(settings, channels)
    previous = _previous(out) if replace else None
    try:  # a wrong --stock is said before anything is read
        if stock_owners(stock_owner, {}) and previous is not None:
            raise ImportUsage(
                "--stock over an existing catalog: say who owns the stock in its catalog.yaml "
                "(fields:, sources:) instead"
            )
    except StockOwnerUnknown as err:
        raise ImportUsage(str(err)) from None
    with open_marketplace(settings) as client:
        live = read_live_offers(client, list(settings.channels.values()))
    catalog_yaml = None if catalog_dir is None else catalog_dir / "catalog.yaml"
    defaults, where = given_defaults(catalog_yaml, default_values)
    live, aside = set_aside(live)  # a condition the client cannot read: not imported, named
    live, provenance = fill_unknown(live, defaults, where)
    owners = stock_owners(stock_owner, live)
    files = catalog_documents(settings, live, now(), SplitBy(split_by), previous, owners)
    done = write_folder(out, {**files, **(owners.files if owners else {})}, replace=replace)
    ignore_in_git(out)  # the state folder (journal, cache, sandbox) never goes into git
    skus = len({sku for _, sku in live})
    click.echo(
        f"Imported {skus} sku(s), {len(live)} live channel offer(s), from "
        f"{len(settings.channels)} channel(s) into {out}: "
        f"{', '.join(done.written) or 'no file changed'}"
    )
    if previous is not None and done.unchanged:
        click.echo(f"Kept as written (nothing changed): {', '.join(done.unchanged)}")
    for line in done.lost():
        click.echo(f"Not kept: {line}")
    for line in provenance.lines():
        click.echo(f"  {line}")
    for channel, named in sorted(aside.items()):
        click.echo(f"  not imported from {channel}: {'; '.join(sorted(named))}")
    if settings.marketplace.sandbox:
        shop, copied = bring_embedded_shop(settings, out)
        if copied:
            click.echo(f"Copied the embedded sandbox's shop to {shop}.")
    load_catalog(out)  # the import's own check: what it wrote is a valid catalog


def _previous(out: Path):  # noqa: ANN202 - Previous | None, imported lazily
    """The catalog a re-import updates in place, if `out` holds a valid one."""
    from reconciler.catalog import check_catalog
    from reconciler.importing.previous import Previous

    if not (out / "catalog.yaml").is_file():
        return None
    catalog, problems = check_catalog(out)
    if catalog is None:
        click.echo(
            f"{out} holds an invalid catalog ({len(problems)} problem(s)): it is rewritten whole, "
            "nothing of its layout is kept"
        )
        return None
    return Previous.read(catalog)
