"""`catalog demo [DIR]`: the whole job once, against the built-in sandbox, step by step.

The demo catalog ships inside the package; the command copies it into DIR (a new
`./catalog-demo` by default) and works there, never in the install: validate -> seed the sandbox's
product referential -> plan -> apply -> report -> plan again (empty). The sandbox keeps its state
in DIR's state folder, so a second run finds the shop already up to date and says so;
`--reset` puts the demo's files and its sandbox back to the start and runs it again.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from reconciler.errors import ReconcilerError
from reconciler.resources import DEMO_CATALOG, copy_tree
from reconciler.state import StateFolder, ignore_in_git

DEFAULT_FOLDER = "catalog-demo"
EPILOG = """\b
Examples:
  catalog demo                  # copies the demo into ./catalog-demo and runs it
  catalog demo                  # again: nothing to change, the sandbox remembers the shop
  catalog demo --reset          # the demo's files and sandbox as shipped, and the demo again
  catalog demo /tmp/try-it      # another folder
"""


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


def prepare(directory: Path, reset: bool) -> None:
    """Make DIRECTORY hold the demo catalog: copied when new, put back as shipped on --reset."""
    has_catalog = (directory / "catalog.yaml").is_file()
    if reset and has_catalog:
        _refuse_unless_demo(directory)
        state = StateFolder(directory).path
        if state.is_symlink() or state.is_file():
            state.unlink()
        elif state.is_dir():
            shutil.rmtree(state)
    elif has_catalog:
        return  # the demo ran here before (or another embedded-sandbox catalog): run it there
    elif directory.exists() and any(directory.iterdir()):
        raise ReconcilerError(
            f"{directory} is not empty and holds no catalog.yaml: "
            "give `catalog demo` a new or empty folder"
        )
    copy_tree(DEMO_CATALOG, directory)
    ignore_in_git(directory)
    if reset:
        click.echo(f"Put the demo catalog in {directory} back as shipped, with an empty sandbox.")
    else:
        click.echo(f"Copied the demo catalog into {directory} (its state folder is git-ignored).")


def _refuse_unless_demo(directory: Path) -> None:
    """--reset overwrites files and forgets the state: only ever in an embedded-sandbox catalog."""
    import yaml

    try:
        settings = yaml.safe_load((directory / "catalog.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        settings = None
    marketplace = settings.get("marketplace") if isinstance(settings, dict) else None
    if not (isinstance(marketplace, dict) and marketplace.get("sandbox") == "embedded"):
        raise ReconcilerError(
            f"{directory} is not a demo catalog (its marketplace is not the embedded sandbox): "
            "--reset would overwrite its files, refused"
        )


@click.command(name="demo", epilog=EPILOG)
@click.argument(
    "directory",
    default=DEFAULT_FOLDER,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--reset",
    is_flag=True,
    help="Start over: the demo's files as shipped, an empty sandbox, then the demo again.",
)
def command(directory: Path, reset: bool) -> None:
    """Copy the demo catalog into DIRECTORY (default ./catalog-demo), then validate, plan, apply
    and plan again against the built-in sandbox."""
    prepare(directory, reset)
    sys.exit(run(directory))


def run(directory: Path) -> int:
    """The six steps in DIRECTORY; the exit code of the apply (0 when there was none to do)."""
    from rich.console import Console

    from reconciler.apply.report import Progress, summary_lines
    from reconciler.apply.session import ApplySession, sandbox_root
    from reconciler.catalog import load_catalog, size_text
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.render.text import print_plan

    console = Console()
    say(f"1. Validate the catalog in {directory}")
    catalog = load_catalog(directory)
    if catalog.marketplace.sandbox != "embedded":
        raise ReconcilerError(f"{directory} does not use the embedded sandbox: no demo there")
    channels = ", ".join(f"{n} ({c.submission.value})" for n, c in sorted(catalog.channels.items()))
    click.echo(f"Valid: {size_text(catalog)}: {channels}.")

    state = StateFolder(catalog.root).path
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
    return int(report.exit_code) if report is not None else 0
