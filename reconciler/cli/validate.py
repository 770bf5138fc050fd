"""`catalog validate [DIR] [--format text|json]`: check a catalog offline, report every problem.

Exit 0 when the catalog is valid (warnings are printed), 4 when it has errors.
"""

from __future__ import annotations

import json

import click

from reconciler import clock
from reconciler.catalog import check_catalog, size_text
from reconciler.errors import ExitCode, Problem, printable
from reconciler.operations.early import read_ahead
from reconciler.operations.omnibus import omnibus_problems

EXAMPLES = """\b
Examples:
  catalog validate catalogs/shop                  # every problem, file:line:column
  catalog validate catalogs/shop --format json    # the same, as JSON objects
  catalog validate catalogs/shop --strict         # Omnibus breaches are errors
"""


@click.command("validate", epilog=EXAMPLES)
@click.argument("directory", default=".", type=click.Path(path_type=str))
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem; json: a list of problem objects.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Make the Omnibus check (sale reference prices against 30 days of git history) an error.",
)
@click.pass_context
def command(ctx: click.Context, directory: str, output: str, strict: bool) -> None:
    """Check the catalog in DIRECTORY (default: here) against its schemas and rules.

    Sales operations are also checked against the offers' price history in git (the EU Omnibus
    rule): a warning, or an error with --strict.
    """
    with read_ahead(directory, clock.now()) as ahead:  # the price history, on another core
        catalog, problems = check_catalog(directory)
        if catalog is not None and catalog.operations:
            found = omnibus_problems(catalog, clock.now(), strict, ahead)
            problems = sorted([*problems, *found], key=Problem.sort_key)
            if any(p.severity == "error" for p in found):
                catalog = None
    if output == "json":
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        if problems:  # one write: 100,000 problems print in a blink
            # one line each, whatever a file is named
            click.echo("\n".join(printable(_line(problem)) for problem in problems))
        errors = sum(1 for p in problems if p.severity == "error")
        if catalog is None:
            click.echo(f"{errors} error(s): the catalog is invalid.")
        else:
            click.echo(
                f"{directory}: valid: {size_text(catalog)}, {len(catalog.operations)} operation(s)"
            )
    if catalog is None:
        ctx.exit(ExitCode.INVALID_CATALOG)


def _line(problem: Problem) -> str:
    if problem.severity == "error":
        return str(problem)
    return f"{problem.location}: {problem.severity}: {problem.message}"
