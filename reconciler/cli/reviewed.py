"""`catalog reviewed-plan --github|--gitlab`: fetch the plan reviewed on the request just merged.

The merge job applies exactly what was reviewed: this command finds the pull request merged as
this push's commit, downloads the plan its last run saved (an artifact), and says whether a
maintainer acknowledged that plan's hash with a `/catalog ack <hash>` comment. It prints
`key=value` lines for the job (`>> "$GITHUB_OUTPUT"`): pull_request, run_id, plan_hash,
acknowledged (the hash, or empty).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.errors import ReconcilerError

EPILOG = """\b
Example, in a GitHub Actions job on push to main (GITHUB_TOKEN with actions: read):
  catalog reviewed-plan --github --artifact catalog-plan-catalogs-shop --out plan.json
  catalog apply catalogs/shop --plan plan.json --auto-approve
In a GitLab CI job on the default branch (GITLAB_API_TOKEN set), --artifact is the plan job:
  catalog reviewed-plan --gitlab --artifact catalog-plan-catalogs-shop --out plan.json
"""


@click.command("reviewed-plan", epilog=EPILOG)
@click.option("--github", "on_github", is_flag=True, help="The merged GitHub pull request.")
@click.option("--gitlab", "on_gitlab", is_flag=True, help="The merged GitLab merge request.")
@click.option(
    "--artifact",
    required=True,
    help="GitHub: the artifact the plan job uploaded; GitLab: the plan job's name.",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Plan file."
)
def command(on_github: bool, on_gitlab: bool, artifact: str, out: Path) -> None:
    """Save the plan reviewed on the merged pull request, and whether it was acknowledged."""
    if on_github == on_gitlab:
        raise ReconcilerError("say where the review happened: --github or --gitlab")
    if on_github:
        from reconciler.github import reviewed as forge
    else:
        from reconciler.gitlab import reviewed as forge
    from reconciler.plan.serialize import load_plan

    request = forge.merged_pull_request(os.environ)
    reviewed = forge.reviewed_plan(request, artifact)
    out.write_bytes(reviewed.plan_json)
    plan = load_plan(str(out))  # a file that is no plan stops here
    ack = plan.plan_hash if plan.blocked and forge.acknowledged(request, plan.plan_hash) else ""
    click.echo(f"pull_request={reviewed.pull_request}")
    click.echo(f"run_id={reviewed.run_id}")
    click.echo(f"plan_hash={plan.plan_hash}")
    click.echo(f"acknowledged={ack}")
