"""`catalog apply [DIR]`: push the plan to the marketplace and follow it to the end.

Exit 0 all integrated, 3 blocked by a guard, 5 some offers rejected or not sent, 6 stale saved
plan, 7 marketplace unreachable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.plan import resend_options, resend_request
from reconciler.errors import ExitCode, UsageError, printable
from reconciler.plan.guards import GUARD_NAMES


class NeedsApproval(UsageError):
    """No terminal to confirm on, and no --auto-approve: the call needs the flag (exit 64)."""


def echo_line(line: str) -> None:
    """One line of a CI log: a sku or a marketplace message cannot start a line of its own
    (a forged `::error` workflow command)."""
    click.echo(printable(line))


def progress_for(console: object):  # noqa: ANN201 - Progress, imported lazily
    """Live bars on a terminal, plain lines anywhere else (CI logs, pipes)."""
    from reconciler.apply.report import Progress, RichProgress

    if getattr(console, "is_terminal", False):
        return RichProgress(console)
    return Progress(echo_line)


def confirm(auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        raise NeedsApproval(
            "no terminal to confirm on: review the plan, then re-run with --auto-approve "
            "(or apply a saved plan with --plan FILE --auto-approve)"
        )
    try:
        return click.confirm("Apply these changes?", default=False)
    except click.Abort:  # Ctrl-C or end of input at the question: a no, not an error
        return False


EXAMPLES = """\b
Examples:
  catalog apply catalogs/shop                                   # plan, ask, send
  catalog apply catalogs/shop --plan plan.json --auto-approve   # the reviewed plan, in CI
  catalog apply catalogs/shop --ack PLAN_HASH                   # despite its guards
"""


@click.command(name="apply", epilog=EXAMPLES)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), help="A saved plan.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--ack", metavar="PLAN_HASH", help="Apply this exact plan despite its guards.")
@click.option(
    "--allow",
    multiple=True,
    type=click.Choice(GUARD_NAMES),
    help="Let this guard pass (repeatable).",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=1),
    help="Stop sending once this many offers were rejected.",
)
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="JSON report.")
@resend_options
def command(
    directory: str,
    plan_file: str | None,
    auto_approve: bool,
    ack: str | None,
    allow: tuple[str, ...],
    max_failures: int | None,
    report_file: str | None,
    resend: tuple[str, ...],
    since: str | None,
) -> None:
    """Apply the plan: send the packages, follow their integration, report offer by offer.

    Without --plan it plans first and asks before sending (on a terminal; elsewhere it needs
    --auto-approve). Exit codes: 0 all integrated, 3 blocked by a guard, 5 offers rejected or
    not sent, 6 saved plan stale, 7 marketplace unreachable. An apply that was interrupted is
    safe to run again: it first follows the packages it had sent.
    """
    from rich.console import Console

    from reconciler.apply.report import summary_lines, write_report
    from reconciler.apply.run import ApplyOptions
    from reconciler.apply.session import ApplyRequest, ApplySession
    from reconciler.catalog import load_catalog
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.plan.serialize import load_plan
    from reconciler.render.text import print_plan

    catalog = load_catalog(directory)
    if plan_file and (resend or since):
        raise UsageError("--resend/--since: a saved plan already says what it sends")
    request = ApplyRequest(
        resend=resend_request(catalog, Path(directory), resend, since),
        saved_plan=load_plan(plan_file) if plan_file else None,
        ack=ack,
        allow=allow,
        options=ApplyOptions(max_failures=max_failures),
    )
    console = Console()
    progress = progress_for(console)
    with open_marketplace(catalog) as client:
        session = ApplySession(catalog, client, progress, request)
        plan = session.plan()
        left = session.left_to_send(plan)
        if left:
            print_plan(plan, console, ack, allow)
            if session.done:
                click.echo(f"An earlier apply of this plan sent {len(session.done)}; {left} left.")
            if not confirm(auto_approve):
                click.echo("Apply cancelled: nothing was sent.")
                sys.exit(ExitCode.CANCELLED)  # not 0: the plan's changes were not made
        elif plan.has_changes:
            click.echo("Every change of this plan was sent by an earlier apply: nothing left.")
        with progress:  # the live display starts only once the questions are over
            report = session.apply(plan)
    for line in summary_lines(report):
        echo_line(line)
    if report_file:
        write_report(report, report_file)
    if not plan.has_changes and not report.packages:
        click.echo("No changes: the marketplace already matches the catalog.")
    sys.exit(int(report.exit_code))
