"""`catalog show PLAN.json`: render a saved plan, as `plan` would have shown it."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.plan import FORMATS, echo_plan, full_option

EXAMPLES = """\b
Examples:
  catalog show plan.json                    # the saved plan as text
  catalog show plan.json --format markdown  # as a pull-request comment shows it
"""


@click.command("show", epilog=EXAMPLES)
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@full_option
def command(plan_file: Path, fmt: str, full: bool) -> None:
    """Show a plan saved with `catalog plan --out PLAN_FILE`.

    `--format html` writes a self-contained page for reviewers who do not read YAML: counts per
    channel, price changes by size with their distribution, the guards.
    """
    from reconciler.plan.serialize import load_plan

    echo_plan(load_plan(str(plan_file)), fmt, full)
