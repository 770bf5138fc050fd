"""templates/catalog.yml, its jobs run in a temporary repository against the test sandbox and
the GitLab stand-in: one note per catalog, edited in place; the merge job applies the plan
reviewed on the merged merge request, refuses a stale one, and lets a guard-blocked plan
through only with a Developer's `/catalog ack <its hash>`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from gitlab_stand_in import MR_IID, GitLabStandIn
from template_runner import component, run_job

from tests.ci_repo import catalog_cli, seller_repo, set_price

HEAD = "c" * 40
MERGE = "d" * 40
INSTALL = "git+https://gitlab.example.com/tools/catalog-reconciler.git@" + "e" * 40


@pytest.fixture
def repo(tmp_path: Path, sandbox) -> Path:
    return seller_repo(tmp_path, sandbox)


@pytest.fixture
def env(ci_env, sandbox) -> dict[str, str]:
    return {
        **ci_env,
        "CI_COMMIT_SHA": HEAD,
        "CI_DEFAULT_BRANCH": "main",
        "CATALOG_NOW": "2026-11-25T10:00:00",
        "OCTOPIA_CLIENT_ID": sandbox.client_id,
        "OCTOPIA_CLIENT_SECRET": sandbox.client_secret,
    }


def jobs_of(key: str) -> dict:
    return component({"catalog": f"catalogs/{key}", "key": key, "install": INSTALL})


def plan_in_review(gitlab: GitLabStandIn, env, repo: Path, key: str) -> dict:
    """The merge-request pipeline's plan job; its plan.json kept as GitLab keeps artifacts."""
    jobs = jobs_of(key)
    ran = run_job(jobs, f"catalog-plan-{key}", env, repo)
    assert ran.exit_code == 0, ran.log
    assert jobs[f"catalog-plan-{key}"]["artifacts"]["paths"] == ["plan.json", "plan.md"]
    plan = (repo / "plan.json").read_bytes()
    ref = f"refs/merge-requests/{MR_IID}/head"
    gitlab.artifacts[(ref, f"catalog-plan-{key}", "plan.json")] = plan
    return json.loads(plan)


def ours(gitlab: GitLabStandIn) -> list[str]:
    return [
        n["body"] for n in gitlab.notes.get(MR_IID, []) if "catalog-reconciler plan" in n["body"]
    ]


def test_the_component_installs_the_pinned_tool_with_full_history():
    jobs = jobs_of("a")
    assert jobs[".catalog-a"]["before_script"] == [f'pip install --quiet "{INSTALL}"']
    assert jobs[".catalog-a"]["variables"]["GIT_DEPTH"] == "0"
    assert jobs["catalog-apply-a"]["resource_group"] == jobs["catalog-drift-a"]["resource_group"]
    assert jobs_of("b")["catalog-apply-b"]["resource_group"] == "catalog-b"


def test_two_catalogs_one_note_each_then_the_reviewed_plan_is_applied(gitlab, env, repo):
    set_price(repo, "catalogs/a", "44.90", "42.90")
    set_price(repo, "catalogs/b", "44.90", "41.90")
    plan_in_review(gitlab, env, repo, "a")
    plan_in_review(gitlab, env, repo, "b")
    set_price(repo, "catalogs/a", "42.90", "43.90")
    reviewed = plan_in_review(gitlab, env, repo, "a")
    notes = ours(gitlab)
    assert len(notes) == 2
    assert (
        notes[0].startswith("<!-- catalog-reconciler plan: catalogs/a -->") and "43.90" in notes[0]
    )
    assert (
        notes[1].startswith("<!-- catalog-reconciler plan: catalogs/b -->") and "41.90" in notes[1]
    )

    gitlab.merge(MR_IID, HEAD, MERGE)
    merged = {
        **env,
        "CI_COMMIT_SHA": MERGE,
        "CI_COMMIT_BRANCH": "main",
        "CI_PIPELINE_SOURCE": "push",
    }
    merged.pop("CI_MERGE_REQUEST_IID")
    applied = run_job(jobs_of("a"), "catalog-apply-a", merged, repo)
    assert applied.exit_code == 0, applied.log
    assert f"plan_hash={reviewed['plan_hash']}" in applied.log
    report = json.loads((repo / "apply-report.json").read_text())
    assert report["plan_hash"] == reviewed["plan_hash"]
    again = catalog_cli(repo, env, "plan", "catalogs/a", "--detailed-exitcode")
    assert again.returncode == 0


def test_stale_is_refused_and_blocked_needs_a_developers_ack(gitlab, env, repo):
    set_price(repo, "catalogs/a", "44.90", "8.90")  # -80%: a guard blocks it
    reviewed = plan_in_review(gitlab, env, repo, "a")
    assert reviewed["blocked"] is True
    assert f"/catalog ack {reviewed['plan_hash']}" in ours(gitlab)[0]
    gitlab.merge(MR_IID, HEAD, MERGE)
    merged = {
        **env,
        "CI_COMMIT_SHA": MERGE,
        "CI_COMMIT_BRANCH": "main",
        "CI_PIPELINE_SOURCE": "push",
    }
    merged.pop("CI_MERGE_REQUEST_IID")

    blocked = run_job(jobs_of("a"), "catalog-apply-a", merged, repo)
    assert blocked.exit_code == 3, blocked.log
    gitlab.members.update({41: 20, 42: 30})  # a Reporter, a Developer
    gitlab.add(MR_IID, f"/catalog ack {reviewed['plan_hash']}", {"id": 41, "username": "r"})
    assert run_job(jobs_of("a"), "catalog-apply-a", merged, repo).exit_code == 3
    gitlab.add(MR_IID, f"/catalog ack {reviewed['plan_hash']}", {"id": 42, "username": "d"})

    # meanwhile the shop moves: the acknowledged plan went stale, it is not applied
    set_price(repo, "catalogs/a", "8.90", "42.90")
    assert catalog_cli(repo, env, "apply", "catalogs/a", "--auto-approve").returncode == 0
    set_price(repo, "catalogs/a", "42.90", "8.90")
    stale = run_job(jobs_of("a"), "catalog-apply-a", merged, repo)
    assert stale.exit_code == 6, stale.log
    assert f"acknowledged={reviewed['plan_hash']}" in stale.log  # the Developer's ack counted
    [note] = ours(gitlab)
    assert "Merged but not applied" in note and "42.90" in note


def test_the_state_cache_makes_the_next_jobs_plan_incremental(gitlab, env, repo, tmp_path):
    """The paths the component caches are what a fresh clone needs for the next plan to read
    only the offers changed since (snapshot, parse cache, the key signing them)."""
    jobs = jobs_of("a")
    [state] = [c for c in jobs[".catalog-a"]["cache"] if c["key"] == "catalog-state-a"]
    assert state["when"] == "always"
    auto = {**env, "CATALOG_REFRESH": "auto"}
    first = run_job(jobs, "catalog-plan-a", auto, repo)
    assert first.exit_code == 0, first.log
    assert ": full read (" in first.log

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    shutil.rmtree(clone / "catalogs" / "a" / ".catalog", ignore_errors=True)  # never in git
    for path in state["paths"]:  # GitLab's cache: paths inside the project folder
        kept = repo / path
        if kept.is_dir():
            shutil.copytree(kept, clone / path)
        elif kept.exists():
            (clone / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(kept, clone / path)
    second = run_job(jobs, "catalog-plan-a", auto, clone)
    assert second.exit_code == 0, second.log
    assert "snapshot plus" in second.log and ": full read (" not in second.log
