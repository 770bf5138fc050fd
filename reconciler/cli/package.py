"""`catalog package [DIR] --out OUTDIR`: write the XML packages the plan would send, send nothing.

For review and as CI artefacts: each zip is exactly what `apply` would publish.
"""

from __future__ import annotations

from pathlib import Path

import click

EXAMPLES = """\b
Examples:
  catalog package catalogs/shop --out packages                  # the zips apply would send
  catalog package catalogs/shop --plan plan.json --out packages
"""


@click.command(name="package", epilog=EXAMPLES)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the zips into (created if missing).",
)
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), help="A saved plan.")
def command(directory: str, out_dir: str, plan_file: str | None) -> None:
    """Write the XML offer packages of the plan (xml channels) into the --out folder."""
    from reconciler.apply.session import current_plan
    from reconciler.catalog import load_catalog
    from reconciler.channels.xml_packages import build_zip, plan_packages
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.plan.serialize import load_plan
    from reconciler.replace_file import replace_file

    catalog = load_catalog(directory)
    if plan_file:
        plan = load_plan(plan_file)
    else:
        with open_marketplace(catalog) as client:
            plan = current_plan(catalog, client)
    packages = plan_packages(plan.changes, catalog.channels, plan.plan_hash[:12])
    if not packages:
        click.echo("No XML packages: the plan changes nothing on xml channels.")
        return
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for channel, package in packages:
        path = out / package.file_name
        replace_file(path, build_zip(package, channel))
        click.echo(
            f"{path}: {package.package_type} package for {channel.name} "
            f"({len(package.changes)} offer(s))"
        )
