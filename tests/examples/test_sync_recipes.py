"""The hourly stock-sync recipes (examples/ci/github, examples/ci/gitlab): real commands, hourly,
guards on, and in the same concurrency group as the recipes' merge (apply) job."""

from __future__ import annotations

from pathlib import Path

import yaml
from cli_calls import call_problems, catalog_calls

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository these tests come from
CI = PROJECT_ROOT / "examples" / "ci"
GITHUB = CI / "github" / "catalog-sync.yml"
GITLAB = CI / "gitlab" / "catalog-sync.gitlab-ci.yml"


def _calls(scripts: list[str]) -> list[list[str]]:
    return [call for script in scripts for call in catalog_calls(script)]


def _merge_recipes() -> list[dict]:
    """Every other recipe under examples/ci, wherever the merge job's recipe lives now."""
    found = []
    for path in sorted(CI.rglob("*.yml")):
        if path not in (GITHUB, GITLAB):
            found.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_the_github_sync_is_hourly_guarded_and_queued_with_the_apply():
    recipe = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    assert recipe[True]["schedule"] == [{"cron": "5 * * * *"}]  # `on:` reads as true in YAML 1.1
    (job,) = recipe["jobs"].values()
    calls = _calls([step["run"] for step in job["steps"] if "run" in step])
    assert [c[0] for c in calls] == ["plan", "apply"]
    assert {" ".join(c): call_problems(c) for c in calls if call_problems(c)} == {}
    apply = calls[1]
    assert "--plan" in apply and "--allow" not in apply and "--ack" not in apply
    group = job["concurrency"]["group"]
    assert job["concurrency"]["cancel-in-progress"] is False
    groups = {
        other_job.get("concurrency", {}).get("group")
        for other in _merge_recipes()
        if isinstance(other, dict) and "jobs" in other
        for other_job in other["jobs"].values()
    }
    assert group in groups, f"{group} is not the group of the merge job's apply ({groups})"


def test_the_gitlab_sync_is_scheduled_guarded_and_in_the_apply_resource_group():
    recipe = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = recipe["catalog-sync"]
    assert "schedule" in job["rules"][0]["if"]
    calls = _calls(job["script"])
    assert [c[0] for c in calls] == ["plan", "apply"]
    assert {" ".join(c): call_problems(c) for c in calls if call_problems(c)} == {}
    assert "--allow" not in calls[1] and "--plan" in calls[1]
    # The merge pipeline includes the component once per catalog; its apply job's resource
    # group is catalog-<key> (templates/catalog.yml).
    template = yaml.safe_load(
        (PROJECT_ROOT / "templates" / "catalog.yml").read_text(encoding="utf-8").split("---", 2)[-1]
    )
    apply_groups = {v.get("resource_group") for v in template.values() if isinstance(v, dict)}
    assert "catalog-$[[ inputs.key ]]" in apply_groups
    keys = {
        entry["inputs"]["key"]
        for other in _merge_recipes()
        if isinstance(other, dict)
        for entry in other.get("include", [])
        if isinstance(entry, dict) and "inputs" in entry
    }
    assert job["resource_group"] in {f"catalog-{key}" for key in keys}
    assert job["stage"] in yaml.safe_load((CI / "gitlab-ci.yml").read_text())["stages"]


STATE = (".catalog/cache", ".catalog/snapshots", ".catalog/journal.jsonl")


def test_the_github_sync_keeps_the_state_under_the_actions_keys():
    """Restored before the plan, saved after the apply whatever happened, under the prefix the
    catalog action uses for the same catalog (catalog-state-<key>-), so both share one state."""
    (job,) = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"].values()
    steps = job["steps"]
    uses = [step.get("uses", "") for step in steps]
    restore = uses.index("actions/cache/restore@v4")
    save = uses.index("actions/cache/save@v4")
    runs = [i for i, step in enumerate(steps) if "catalog plan" in step.get("run", "")]
    applies = [i for i, step in enumerate(steps) if "catalog apply" in step.get("run", "")]
    assert restore < runs[0] and save > applies[0]
    assert steps[save]["if"].startswith("always()")
    assert steps[restore]["with"]["restore-keys"] == "catalog-state-${{ steps.key.outputs.key }}-"
    for step in (steps[restore], steps[save]):
        paths = step["with"]["path"].splitlines()
        assert [f"${{{{ matrix.catalog }}}}/{p}" for p in STATE] == paths[:3]
        assert "~/.cache/catalog-reconciler" in paths


def test_the_gitlab_sync_shares_the_components_state_cache():
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["catalog-sync"]
    catalog = job["variables"]["CATALOG_DIR"]
    assert job["cache"]["key"] == f"catalog-state-{job['resource_group'].removeprefix('catalog-')}"
    assert job["cache"]["paths"][:3] == [f"{catalog}/{p}" for p in STATE]
    assert job["variables"]["XDG_CACHE_HOME"].startswith("$CI_PROJECT_DIR/")
