"""`catalog plan [DIR]`: what apply would change on the marketplace, and whether guards block it."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from reconciler.errors import ExitCode, UsageError, unknown_name
from reconciler.plan.model import Plan

if TYPE_CHECKING:
    from reconciler.catalog.model import Catalog
    from reconciler.plan.diff import Target

FORMATS = ("text", "json", "markdown", "html")

full_option = click.option(
    "--full",
    is_flag=True,
    help="List every change even outside a terminal (by default, a plan of more than 200 "
    "changes is listed compactly in CI logs: counts, the first 50 changes).",
)


def echo_plan(plan: Plan, fmt: str, full: bool = False) -> None:
    """The one way every command shows a plan: the renderer swaps, the plan does not."""
    if fmt == "html":
        from reconciler.render.html import render_html

        click.echo(render_html(plan), nl=False)
    elif fmt == "json":
        from reconciler.plan.serialize import write_plan

        write_plan(plan, sys.stdout)
    elif fmt == "markdown":
        from reconciler.render.markdown import render_markdown

        click.echo(render_markdown(plan), nl=False)
    else:
        from reconciler.render.text import print_plan

        print_plan(plan, Console(highlight=False), full=full)


def _progress_display():  # noqa: ANN202 - a rich Progress, or None when not on a terminal
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # GET /offers says nothing of how many offers are left: elapsed time, not a guessed ETA.
    return Progress(
        SpinnerColumn(),
        TextColumn("reading live offers: {task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def resend_options(command):  # noqa: ANN001, ANN201 - a click command
    """--resend and --since, shared by plan and apply."""
    command = click.option(
        "--since",
        metavar="REF",
        help="Also send the fields the marketplace does not return that changed in git since "
        "REF (a pull request's base, the last applied commit).",
    )(command)
    return click.option(
        "--resend",
        multiple=True,
        metavar="FIELD",
        help="Send this field of every targeted offer whatever the live side says "
        "(repeatable; 'all' for every field). Guarded like any update.",
    )(command)


def resend_request(catalog, directory: Path, resend: tuple[str, ...], since: str | None):  # noqa: ANN001, ANN201
    """The Resend a plan is built with, from --resend and --since (a bad value: usage error)."""
    from reconciler.catalog.at_ref import RefUnreadable, catalog_at
    from reconciler.clock import now
    from reconciler.operations.discounts import desired_offers
    from reconciler.plan.readback import Resend, resend_fields

    try:
        fields = resend_fields(resend)
    except ValueError as err:
        raise UsageError(str(err)) from None
    previous = None
    if since is not None:
        try:
            previous = desired_offers(catalog_at(directory, since), now())
        except RefUnreadable as err:
            raise UsageError(f"--since {since}: {err}") from None
    return Resend(fields, previous, since)


def _plan(
    directory: Path,
    channels: tuple[str, ...],
    skus: tuple[str, ...],
    refresh: str = "auto",
    max_age_hours: float = 24.0,
    reads: list | None = None,
    resend: tuple[str, ...] = (),
    since: str | None = None,
) -> Plan:
    from reconciler.catalog import load_catalog
    from reconciler.plan.diff import Target

    catalog = load_catalog(directory)  # an invalid catalog stops here, before any call
    for channel in channels:
        if channel not in catalog.channels:
            raise UsageError(
                f"--channel {channel}: {unknown_name('channel', channel, catalog.channels)}"
            )
    target = Target(channels=channels, skus=skus)
    read = {"refresh": refresh, "max_age": timedelta(hours=max_age_hours), "reads": reads}
    read["resend"] = resend_request(catalog, directory, resend, since)
    plan = _planned(catalog, target, read)
    _every_glob_matched(skus, [sku for _, sku in catalog.offers], plan)
    return plan


def _every_glob_matched(globs: tuple[str, ...], skus: list[str], plan: Plan) -> None:
    """A --sku that matches nothing would plan nothing, and a drift job would read "no drift"."""
    import fnmatch

    seen = [*skus, *(change.sku for change in plan.changes)]
    for glob in globs:
        if not any(fnmatch.fnmatchcase(sku, glob) for sku in seen):
            raise UsageError(
                f"--sku {glob}: matches no sku of the catalog nor any change of the live shop"
            )


def _planned(catalog: Catalog, target: Target, read: dict) -> Plan:
    """The plan; `read`: how to read the live shop (plan_against_marketplace's keywords)."""
    from reconciler.clock import now
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.plan.build import plan_against_marketplace

    display = _progress_display()
    read = {**read, "say": _notes(display)}
    with open_marketplace(catalog) as client:
        if display is None:
            return plan_against_marketplace(catalog, client, now(), target, **read)
        with display:
            tasks: dict[str, int] = {}

            def progress(channel: str, count: int) -> None:
                if channel not in tasks:
                    tasks[channel] = display.add_task(channel)
                display.update(tasks[channel], description=f"{channel} {count:,}")

            return plan_against_marketplace(catalog, client, now(), target, progress, **read)


def _notes(display):  # noqa: ANN001, ANN202 - a rich Progress or None; a Say
    """Notes on stderr, above the progress display when there is one (never through it)."""
    if display is None:
        return lambda text: click.echo(text, err=True)
    return lambda text: display.console.print(text, markup=False, highlight=False)


EXAMPLES = """\b
Examples:
  catalog plan catalogs/shop                                  # what apply would change
  catalog plan catalogs/shop --out plan.json                  # save it for review and apply
  catalog plan catalogs/shop --channel cdiscount --sku 'TSHIRT-*'
  catalog plan catalogs/shop --detailed-exitcode              # exit 2 when there are changes
"""


@click.command("plan", epilog=EXAMPLES)
@click.argument(
    "directory",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan as JSON."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--sku", "skus", multiple=True, help="Only skus matching this glob (repeatable).")
@full_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when the plan has changes (0 when none), as Terraform does.",
)
@click.option(
    "--refresh",
    type=click.Choice(["auto", "full"]),
    default="auto",
    envvar="CATALOG_REFRESH",
    show_default=True,
    help="auto: read only the offers changed since the last snapshot of the live shop (in "
    ".catalog/snapshots/) when it is recent enough; full: read every offer (deletions made "
    "outside this tool are only seen by a full read).",
)
@click.option(
    "--snapshot-max-age",
    "max_age_hours",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Hours after which a snapshot is not used and the shop is read in full.",
)
@resend_options
@click.pass_context
def command(
    ctx: click.Context,
    directory: Path,
    out: Path | None,
    fmt: str,
    channels: tuple[str, ...],
    skus: tuple[str, ...],
    full: bool,
    detailed_exitcode: bool,
    refresh: str,
    max_age_hours: float,
    resend: tuple[str, ...],
    since: str | None,
) -> None:
    """Compare the catalog in DIRECTORY with the live marketplace and show what would change.

    A plan never fails because of a guard: it says loudly that it is blocked and how to
    acknowledge it (`catalog apply --ack PLAN_HASH` or `--allow GUARD`).
    """
    from reconciler.plan.serialize import save_plan
    from reconciler.render.github import write_github_files

    reads: list = []
    plan = _plan(directory, channels, skus, refresh, max_age_hours, reads, resend, since)
    for read in reads if refresh == "auto" else []:  # how the live side was read (stderr:
        click.echo(read.note(), err=True)  # the plan's own formats stay as they are)
    if out is not None:
        try:
            save_plan(plan, str(out))
        except OSError as err:
            raise click.ClickException(f"cannot write the plan to {out}: {err.strerror}") from None
    echo_plan(plan, fmt, full)
    write_github_files(plan, os.environ)
    if detailed_exitcode and plan.has_changes:
        ctx.exit(ExitCode.CHANGES)
