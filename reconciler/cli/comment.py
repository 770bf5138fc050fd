"""`catalog comment --github`: the plan as one pull-request comment, updated on every run."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from reconciler.errors import UsageError

if TYPE_CHECKING:  # imported lazily at run time: `catalog --help` stays fast
    from reconciler.plan.model import Plan

EPILOG = """\b
Examples, in a GitHub Actions job on pull_request (GITHUB_TOKEN passed in `env`):
  catalog plan catalogs/shop --out plan.json
  catalog comment --github --plan plan.json
  catalog comment --github catalogs/shop --on-no-changes skip

The comment carries a hidden marker (<!-- catalog-reconciler plan -->): later runs edit that
comment instead of adding new ones. Reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH
and GITHUB_API_URL (default https://api.github.com). Exit 1 with GitHub's message when posting
fails; the token is never shown.
"""


@click.command("comment", epilog=EPILOG)
@click.argument("catalog_dir", required=False, type=click.Path(file_okay=False))
@click.option(
    "--github", "on_github", is_flag=True, help="Post on the pull request of this Actions run."
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False),
    help="A plan saved by `catalog plan --out` (instead of planning CATALOG_DIR now).",
)
@click.option(
    "--on-no-changes",
    type=click.Choice(["skip", "say"]),
    default="say",
    show_default=True,
    help="When the plan changes nothing: say so in the comment, or post nothing "
    "(an earlier plan comment is still updated, so it never shows a stale plan).",
)
def command(
    catalog_dir: str | None, on_github: bool, plan_file: str | None, on_no_changes: str
) -> None:
    """Post the plan as a comment on the pull request, or update the one posted before."""
    if not on_github:
        raise UsageError("say where to comment: --github (the only target so far)")
    if plan_file and catalog_dir:
        raise UsageError("give --plan plan.json or the catalog folder, not both")
    if not plan_file and not catalog_dir:
        raise UsageError("give the plan to post: --plan plan.json, or the catalog folder")

    from reconciler.github.actions import pull_request_from_env
    from reconciler.github.comments import upsert_plan_comment
    from reconciler.render.markdown import render_markdown

    pull_request = pull_request_from_env(os.environ)  # before planning: fail fast outside CI
    plan = _saved_plan(plan_file) if plan_file else _fresh_plan(catalog_dir or ".")
    create = plan.has_changes or on_no_changes == "say"
    result = upsert_plan_comment(pull_request, render_markdown(plan), create=create)
    if result.action == "skipped":
        click.echo("No changes: no plan comment posted.")
    else:
        click.echo(f"Plan comment {result.action}: {result.url}")


def _saved_plan(path: str) -> Plan:
    from reconciler.plan.serialize import load_plan

    return load_plan(path)


def _fresh_plan(catalog_dir: str) -> Plan:
    from reconciler.catalog import load_catalog
    from reconciler.clock import now
    from reconciler.marketplace.connect import open_marketplace
    from reconciler.plan.build import plan_against_marketplace

    catalog = load_catalog(catalog_dir)  # an invalid catalog stops here, before any call
    with open_marketplace(catalog) as client:
        return plan_against_marketplace(catalog, client, now())
