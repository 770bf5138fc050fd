from __future__ import annotations

import re
from pathlib import Path

import yaml
from cli_calls import call_problems, catalog_calls

from reconciler.cli.main import COMMANDS

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository these tests come from

RECIPES = PROJECT_ROOT / "examples" / "ci"


SHA = re.compile(r"@[0-9a-f]{40}$")
COMMANDS_OF_THE_ACTION = {"validate", "plan", "comment", "apply", "doctor"}


def github_recipe() -> dict:
    return yaml.safe_load((RECIPES / "github-actions.yml").read_text(encoding="utf-8"))


def our_steps(job: dict) -> list[dict]:
    return [s for s in job["steps"] if "catalog-reconciler@" in s.get("uses", "")]


def test_github_uses_the_action_pinned_by_commit_with_full_history():
    jobs = github_recipe()["jobs"]
    for name, job in jobs.items():
        steps = our_steps(job)
        assert steps, f"job {name} does not use the action"
        for step in steps:
            assert SHA.search(step["uses"]), step["uses"]
            assert step["with"]["command"] in COMMANDS_OF_THE_ACTION
            assert step["with"]["catalog"] == "${{ matrix.catalog }}"
        [checkout] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")]
        assert checkout["with"]["fetch-depth"] == 0


def test_github_reviews_on_pull_requests_and_applies_the_reviewed_plan_on_merge():
    jobs = github_recipe()["jobs"]
    assert "pull_request" in jobs["plan"]["if"]
    assert [s["with"]["command"] for s in our_steps(jobs["plan"])] == ["validate", "comment"]
    assert jobs["plan"]["permissions"]["pull-requests"] == "write"
    assert "push" in jobs["apply"]["if"]
    assert [s["with"]["command"] for s in our_steps(jobs["apply"])] == ["apply"]
    assert jobs["apply"]["permissions"]["actions"] == "read"  # the plan artifact of the PR
    assert jobs["apply"]["environment"] == "production"


def test_github_groups_are_keyed_by_catalog_and_applies_never_race():
    jobs = github_recipe()["jobs"]
    groups = {name: job["concurrency"] for name, job in jobs.items()}
    assert all("matrix.catalog" in g["group"] for g in groups.values())
    assert groups["apply"]["cancel-in-progress"] is False
    # the drift check reads the shop: never in the middle of an apply of that catalog
    assert groups["drift"]["group"] == groups["apply"]["group"]


def test_every_catalog_call_of_the_github_recipe_exists():
    runs = [
        s["run"] for job in github_recipe()["jobs"].values() for s in job["steps"] if "run" in s
    ]
    calls = [call for script in runs for call in catalog_calls(script)]
    assert calls
    problems = {" ".join(call): call_problems(list(call)) for call in calls}
    assert {call: found for call, found in problems.items() if found} == {}


def test_gitlab_includes_the_component_pinned_by_commit_with_known_inputs():
    recipe = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    template = (PROJECT_ROOT / "templates" / "catalog.yml").read_text(encoding="utf-8")
    spec = yaml.safe_load(template.split("\n---\n", 1)[0])["spec"]["inputs"]
    [include] = recipe["include"]
    assert re.search(r"/catalog-reconciler/catalog@[0-9a-f]{40}$", include["component"])
    assert set(include["inputs"]) <= set(spec)
    assert SHA.search(include["inputs"]["install"])
    stages = {spec[s]["default"] for s in ("stage", "apply-stage")}
    assert stages <= set(recipe["stages"])


def test_the_call_finder_sees_commands_after_shell_operators():
    script = (
        'set +e\nif catalog plan "$D" --detailed-exitcode > x.md; then echo; fi\n'
        "x && catalog \\\n validate d"
    )
    assert list(catalog_calls(script)) == [
        ["plan", "$D", "--detailed-exitcode"],
        ["validate", "d"],
    ]


def test_the_checker_refuses_what_the_cli_refuses():
    assert call_problems(["no-such-command"]) == ["no command `catalog no-such-command`"]


def action_and_template_calls() -> list[list[str]]:
    action = yaml.safe_load((PROJECT_ROOT / "action.yml").read_text(encoding="utf-8"))
    scripts = [step["run"] for step in action["runs"]["steps"] if "run" in step]
    text = (PROJECT_ROOT / "templates" / "catalog.yml").read_text(encoding="utf-8")
    jobs = yaml.safe_load(text.split("\n---\n", 1)[1])
    scripts += [line for job in jobs.values() for line in job.get("script", [])]
    return [call for script in scripts for call in catalog_calls(script)]


def test_every_catalog_call_of_the_action_and_the_gitlab_template_exists():
    calls = action_and_template_calls()
    commands = {call[0] for call in calls}
    assert {"validate", "plan", "comment", "reviewed-plan", "apply"} <= commands
    problems = {" ".join(call): call_problems(list(call)) for call in calls}
    if "doctor" not in COMMANDS:  # `catalog doctor` comes with issue 11 (another branch)
        problems.pop("doctor $CATALOG", None)
    assert {call: found for call, found in problems.items() if found} == {}


def test_the_call_finder_reads_optional_words_as_given():
    script = 'catalog apply "$D" --plan p.json ${ack:+--ack "$ack"}'
    assert list(catalog_calls(script)) == [["apply", "$D", "--plan", "p.json", "--ack", "$ack"]]
