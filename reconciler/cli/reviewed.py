"""`catalog reviewed-plan --github`: fetch the plan reviewed on the pull request just merged.

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
"""


@click.command("reviewed-plan", epilog=EPILOG)
@click.option("--github", "on_github", is_flag=True, help="Read it from GitHub (the only forge).")
@click.option("--artifact", required=True, help="The artifact name the plan job uploaded.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Plan file."
)
def command(on_github: bool, artifact: str, out: Path) -> None:
    """Save the plan reviewed on the merged pull request, and whether it was acknowledged."""
    if not on_github:
        raise ReconcilerError("say where the review happened: --github")
    from reconciler.github.reviewed import acknowledged, merged_pull_request, reviewed_plan
    from reconciler.plan.serialize import load_plan

    pull_request = merged_pull_request(os.environ)
    reviewed = reviewed_plan(pull_request, artifact)
    out.write_bytes(reviewed.plan_json)
    plan = load_plan(str(out))  # a damaged or forged plan stops here (hash checked on load)
    ack = plan.plan_hash if plan.blocked and acknowledged(pull_request, plan.plan_hash) else ""
    click.echo(f"pull_request={reviewed.pull_request}")
    click.echo(f"run_id={reviewed.run_id}")
    click.echo(f"plan_hash={plan.plan_hash}")
    click.echo(f"acknowledged={ack}")
