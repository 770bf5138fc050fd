"""`catalog comment --github|--gitlab`: the plan as one review comment per catalog, updated."""

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
  catalog comment --github catalogs/shop --plan plan.json
  catalog comment --github catalogs/shop --on-no-changes skip
In a GitLab merge-request pipeline (GITLAB_API_TOKEN set):
  catalog comment --gitlab catalogs/shop --plan plan.json

\b
The comment starts with a hidden marker keyed by the catalog folder
(<!-- catalog-reconciler plan: catalogs/shop -->): later runs edit that comment instead of
adding one, and each catalog of a repository keeps its own. With --plan, CATALOG_DIR only names
the catalog; without it, CATALOG_DIR is planned now. A plan blocked by a guard says how to
acknowledge it from the review: a maintainer comments `/catalog ack PLAN_HASH`.
GitHub: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL.
GitLab: GITLAB_API_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID.
Exit 1 with the forge's message when posting fails; the token is never shown.
"""


@click.command("comment", epilog=EPILOG)
@click.argument("catalog_dir", required=False, type=click.Path(file_okay=False))
@click.option(
    "--github", "on_github", is_flag=True, help="Post on the pull request of this Actions run."
)
@click.option(
    "--gitlab", "on_gitlab", is_flag=True, help="Post on the merge request of this pipeline."
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False),
    help="A plan saved by `catalog plan --out` (instead of planning CATALOG_DIR now).",
)
@click.option(
    "--pull-request",
    "number",
    type=click.IntRange(min=1),
    help="The pull / merge request to post on, when the run is not about one (a merge job).",
)
@click.option("--heading", default="", help="A paragraph above the plan (why it is posted).")
@click.option(
    "--on-no-changes",
    type=click.Choice(["skip", "say"]),
    default="say",
    show_default=True,
    help="When the plan changes nothing: say so in the comment, or post nothing "
    "(an earlier plan comment is still updated, so it never shows a stale plan).",
)
def command(
    catalog_dir: str | None,
    on_github: bool,
    on_gitlab: bool,
    plan_file: str | None,
    number: int | None,
    heading: str,
    on_no_changes: str,
) -> None:
    """Post the plan as a comment on the pull request, or update the one posted before."""
    if on_github == on_gitlab:
        raise UsageError("say where to comment: --github or --gitlab")
    if not plan_file and not catalog_dir:
        raise UsageError("give the plan to post: --plan plan.json, or the catalog folder")

    from reconciler.render.markdown import render_markdown

    post = _poster(on_github, number)  # before planning: fail fast outside CI
    plan = _saved_plan(plan_file) if plan_file else _fresh_plan(catalog_dir or ".")
    create = plan.has_changes or on_no_changes == "say"
    markdown = (f"{heading}\n\n" if heading else "") + render_markdown(plan) + ack_note(plan)
    result = post(markdown, create, catalog_dir)
    if result.action == "skipped":
        click.echo("No changes: no plan comment posted.")
    else:
        click.echo(f"Plan comment {result.action}: {result.url}")


def ack_note(plan: Plan) -> str:
    """How a blocked plan is let through from the review: the exact hash, never a switch."""
    if not plan.blocked:
        return ""
    return (
        "\n\n**To apply this exact plan despite its guards**, a maintainer comments:\n\n"
        f"```\n/catalog ack {plan.plan_hash}\n```\n\n"
        "The merge job then applies the saved plan with `--ack`; any other plan (a new push, "
        "a shop that moved) has another hash and stays blocked.\n"
    )


def _poster(on_github: bool, number: int | None):  # noqa: ANN202 - (markdown, create, catalog)
    if on_github:
        from reconciler.github.actions import pull_request_from_env
        from reconciler.github.comments import upsert_plan_comment

        pull_request = pull_request_from_env(os.environ, number)
        return lambda markdown, create, catalog: upsert_plan_comment(
            pull_request, markdown, create=create, catalog=catalog
        )
    from reconciler.gitlab.notes import merge_request_from_env, upsert_plan_note

    merge_request = merge_request_from_env(os.environ, number)
    return lambda markdown, create, catalog: upsert_plan_note(
        merge_request, markdown, create=create, catalog=catalog
    )


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
