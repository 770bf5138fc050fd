"""GitHub Actions: the markdown summary of the job, and step outputs CI can branch on."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.plan.model import Plan
from reconciler.render.fields import totals
from reconciler.render.markdown import render_markdown


def step_outputs(plan: Plan) -> dict[str, str]:
    counts = totals(plan)
    return {
        "has_changes": "true" if plan.has_changes else "false",
        "creates": str(counts["creates"]),
        "updates": str(counts["updates"]),
        "deletes": str(counts["deletes"] + counts["withdraws"]),
        "plan_hash": plan.plan_hash,
        "blocked": "true" if plan.blocked else "false",
    }


def write_github_files(plan: Plan, env: Mapping[str, str]) -> list[str]:
    """Append to GITHUB_STEP_SUMMARY / GITHUB_OUTPUT when set; returns the files written."""
    written = []
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(render_markdown(plan) + "\n")
        written.append(summary)
    output = env.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.writelines(f"{key}={value}\n" for key, value in step_outputs(plan).items())
        written.append(output)
    return written
