"""action.yml, run step by step in a temporary repository against the embedded sandbox and the
GitHub stand-in: one comment per catalog, updated; the merge job applies the reviewed plan, says
when it went stale, and lets a guard-blocked plan through only with `/catalog ack <its hash>`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from action_runner import ACTION, ActionRun, run_action
from github_stand_in import PR_NUMBER, TOKEN, GitHubStandIn

from tests.ci_repo import catalog_cli, seller_repo, set_price

HEAD = "a" * 40
MERGE = "b" * 40


@pytest.fixture
def repo(tmp_path: Path, sandbox) -> Path:
    return seller_repo(tmp_path, sandbox)


@pytest.fixture
def env(github: GitHubStandIn, sandbox, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": PR_NUMBER, "pull_request": {"number": PR_NUMBER}}))
    return {
        "GITHUB_TOKEN": TOKEN,  # what ${{ github.token }} gives
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": github.base_url,
        "GITHUB_SHA": HEAD,
        "GITHUB_RUN_ID": "7001",
        "CATALOG_NOW": "2026-11-25T10:00:00",
        "OCTOPIA_CLIENT_ID": sandbox.client_id,
        "OCTOPIA_CLIENT_SECRET": sandbox.client_secret,
    }


def action(command: str, catalog: str, env, repo: Path, tmp_path: Path, **more) -> ActionRun:
    scratch = (
        tmp_path / f"run-{command}-{catalog.replace('/', '-')}-{len(list(tmp_path.iterdir()))}"
    )
    scratch.mkdir()
    return run_action({"command": command, "catalog": catalog}, {**env, **more}, repo, scratch)


def uploaded(run: ActionRun, github: GitHubStandIn, head_sha: str = HEAD) -> str:
    """Emulate the action's upload-artifact step: the plan, under the name the action gives."""
    [upload] = [
        u
        for u in run.uses
        if u["uses"].startswith("actions/upload-artifact") and "plan" in u["with"]["name"]
    ]
    assert upload["with"]["path"] == run.outputs["plan"]
    plan = Path(run.outputs["plan"]).read_bytes()
    github.upload(upload["with"]["name"], head_sha, run_id=7001, files={"plan.json": plan})
    return upload["with"]["name"]


def test_the_action_is_composite_with_the_inputs_and_outputs_ci_needs():
    assert ACTION["runs"]["using"] == "composite"
    assert {"command", "catalog", "github-token", "python-version"} <= set(ACTION["inputs"])
    assert {"has_changes", "plan_hash", "exit_code", "plan", "report"} <= set(ACTION["outputs"])
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "install"]
    assert (
        'pip install --quiet --disable-pip-version-check "${{ github.action_path }}"'
        in install["run"]
    )
    [setup] = [s for s in ACTION["runs"]["steps"] if "setup-python" in s.get("uses", "")]
    assert setup["with"]["cache"] == "pip"


def test_two_catalogs_get_one_comment_each_updated_in_place(github, env, repo, tmp_path):
    set_price(repo, "catalogs/a", "44.90", "42.90")
    set_price(repo, "catalogs/b", "44.90", "41.90")
    first_a = action("comment", "catalogs/a", env, repo, tmp_path)
    assert first_a.exit_code == 0, first_a.log
    assert first_a.outputs["has_changes"] == "true"
    assert first_a.outputs["exit_code"] == "0" and first_a.outputs["key"] == "catalogs-a"
    assert len(first_a.outputs["plan_hash"]) >= 16
    first_b = action("comment", "./catalogs/b/", env, repo, tmp_path)
    assert first_b.exit_code == 0, first_b.log
    assert first_b.outputs["key"] == "catalogs-b"
    bodies = [c["body"] for c in github.comments[PR_NUMBER]]
    assert len(bodies) == 2
    assert bodies[0].startswith(
        "<!-- catalog-reconciler plan: catalogs/a -->\n### Catalog `catalogs/a`"
    )
    assert bodies[1].startswith(
        "<!-- catalog-reconciler plan: catalogs/b -->\n### Catalog `catalogs/b`"
    )

    set_price(repo, "catalogs/a", "42.90", "43.90")
    again = action("comment", "catalogs/a", env, repo, tmp_path)
    assert again.exit_code == 0, again.log
    assert again.outputs["plan_hash"] != first_a.outputs["plan_hash"]
    after = [c["body"] for c in github.comments[PR_NUMBER]]
    assert len(after) == 2 and after[1] == bodies[1]
    assert "43.90" in after[0] and "43.90" not in bodies[0]
    assert [m for m, _ in github.requests].count("PATCH") == 1


def test_merge_applies_the_reviewed_plan_then_nothing_is_left(github, env, repo, tmp_path):
    set_price(repo, "catalogs/a", "44.90", "43.90")
    reviewed = action("comment", "catalogs/a", env, repo, tmp_path)
    assert reviewed.exit_code == 0, reviewed.log
    uploaded(reviewed, github)
    github.merge(PR_NUMBER, HEAD, MERGE)

    applied = action("apply", "catalogs/a", env, repo, tmp_path, GITHUB_SHA=MERGE)
    assert applied.exit_code == 0, applied.log
    assert applied.outputs["plan_hash"] == reviewed.outputs["plan_hash"]
    assert applied.outputs["pull_request"] == str(PR_NUMBER)
    report = json.loads(Path(applied.outputs["report"]).read_text())
    assert report["plan_hash"] == reviewed.outputs["plan_hash"]
    planned = action("plan", "catalogs/a", env, repo, tmp_path)
    assert planned.outputs["has_changes"] == "false", planned.log
    kept = [u for u in applied.uses if "catalog-apply-" in u["with"].get("name", "")]
    assert kept and kept[0]["with"]["name"] == "catalog-apply-catalogs-a-7001"


def test_a_stale_reviewed_plan_is_not_applied_and_a_fresh_one_is_commented(
    github, env, repo, tmp_path
):
    set_price(repo, "catalogs/a", "44.90", "43.90")
    first = action("comment", "catalogs/a", env, repo, tmp_path)
    uploaded(first, github)
    github.merge(PR_NUMBER, HEAD, MERGE)
    # meanwhile the shop moves: someone applies another price of that offer by hand
    set_price(repo, "catalogs/a", "43.90", "42.90")
    assert catalog_cli(repo, env, "apply", "catalogs/a", "--auto-approve").returncode == 0
    set_price(repo, "catalogs/a", "42.90", "43.90")  # the merged files

    applied = action("apply", "catalogs/a", env, repo, tmp_path, GITHUB_SHA=MERGE)
    assert applied.exit_code == 6, applied.log
    assert applied.outputs["exit_code"] == "6"
    [body] = [c["body"] for c in github.comments[PR_NUMBER]]  # the same comment, updated
    assert body.startswith("<!-- catalog-reconciler plan: catalogs/a -->")
    assert "Merged but not applied" in body and "43.90" in body


def test_a_blocked_plan_goes_through_only_with_an_ack_of_its_hash(github, env, repo, tmp_path):
    built = action("apply", "catalogs/a", env, repo, tmp_path)  # no merged PR: refused
    assert built.exit_code == 1 and "no pull request was merged" in built.log
    # the pull request cuts a price by 80%: a guard blocks the plan
    set_price(repo, "catalogs/a", "44.90", "8.90")
    reviewed = action("comment", "catalogs/a", env, repo, tmp_path)
    assert reviewed.outputs["blocked"] == "true", reviewed.log
    plan_hash = reviewed.outputs["plan_hash"]
    assert f"/catalog ack {plan_hash}" in github.comments[PR_NUMBER][0]["body"]
    uploaded(reviewed, github)
    github.merge(PR_NUMBER, HEAD, MERGE)

    blocked = action("apply", "catalogs/a", env, repo, tmp_path, GITHUB_SHA=MERGE)
    assert blocked.exit_code == 3, blocked.log
    assert f"/catalog ack {plan_hash}" in blocked.log

    github.permissions.update({"reader": "read", "maintainer": "write"})
    github.add(PR_NUMBER, f"/catalog ack {plan_hash}", {"login": "reader", "id": 5})
    github.add(PR_NUMBER, "/catalog ack 0123456789abcdef", {"login": "maintainer", "id": 6})
    still = action("apply", "catalogs/a", env, repo, tmp_path, GITHUB_SHA=MERGE)
    assert still.exit_code == 3, still.log  # a reader's ack, and an ack of another plan

    github.add(
        PR_NUMBER,
        f"LGTM, the clearance is intended\n/catalog ack {plan_hash}",
        {"login": "maintainer", "id": 6},
    )
    acked = action("apply", "catalogs/a", env, repo, tmp_path, GITHUB_SHA=MERGE)
    assert acked.exit_code == 0, acked.log
    assert acked.outputs["acknowledged"] == plan_hash


def _cached(run: ActionRun, kind: str) -> dict[str, str]:
    [step] = [u for u in run.uses if u["uses"].startswith(f"actions/cache/{kind}@")]
    assert "inputs.command != 'doctor'" in step["if"]
    return step["with"]


def _paths(step: dict[str, str], repo: Path, home: Path) -> list[Path]:
    listed = [line.strip() for line in step["path"].splitlines() if line.strip()]
    return [home / p[2:] if p.startswith("~/") else repo / p for p in listed]


def test_the_state_cache_makes_the_next_runs_plan_incremental(env, repo, tmp_path):
    """What the action saves is what a fresh checkout on a new runner needs to read only the
    offers changed since (the snapshot, the parse cache and the key that signs them)."""
    first_home, second_home = tmp_path / "home-1", tmp_path / "home-2"
    more = {"CATALOG_REFRESH": "auto", "HOME": str(first_home)}
    first = action("plan", "catalogs/a", env, repo, tmp_path, **more)
    assert first.exit_code == 0, first.log
    assert ": full read (" in first.log
    saved, restored = _cached(first, "save"), _cached(first, "restore")
    [save_step] = [u for u in first.uses if u["uses"].startswith("actions/cache/save@")]
    assert save_step["if"].startswith("always()")
    assert saved["key"].startswith(restored["restore-keys"])
    assert restored["restore-keys"] == "catalog-state-catalogs-a-"
    assert saved["key"] == restored["key"] == "catalog-state-catalogs-a-7001-1-plan"

    # the CI's cache: the listed paths, carried to a fresh clone on a runner with a new home
    carried = tmp_path / "carried"
    for number, path in enumerate(_paths(saved, repo, first_home)):
        if path.is_dir():
            shutil.copytree(path, carried / str(number))
        elif path.exists():
            carried.mkdir(exist_ok=True)
            shutil.copy(path, carried / str(number))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    shutil.rmtree(clone / "catalogs" / "a" / ".catalog", ignore_errors=True)  # as if ignored in git
    for number, path in enumerate(_paths(restored, clone, second_home)):
        kept = carried / str(number)
        if kept.is_dir():
            shutil.copytree(kept, path)
        elif kept.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(kept, path)
    second = action(
        "plan", "catalogs/a", env, clone, tmp_path, CATALOG_REFRESH="auto", HOME=str(second_home)
    )
    assert second.exit_code == 0, second.log
    assert "snapshot plus" in second.log and ": full read (" not in second.log
    assert second.outputs["plan_hash"] == first.outputs["plan_hash"]


def test_the_state_cache_can_be_turned_off():
    assert ACTION["inputs"]["state-cache"]["default"] == "true"
    for step in ACTION["runs"]["steps"]:
        if step.get("uses", "").startswith("actions/cache/"):
            assert "inputs.state-cache == 'true'" in step["if"]
