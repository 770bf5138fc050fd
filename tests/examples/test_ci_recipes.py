from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_calls import call_problems, catalog_calls

from reconciler.cli.main import COMMANDS

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository these tests come from

RECIPES = PROJECT_ROOT / "examples" / "ci"


def github_scripts(recipe: dict) -> list[str]:
    return [
        step["run"]
        for job in recipe["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]


def gitlab_scripts(recipe: dict) -> list[str]:
    scripts = []
    for key, job in recipe.items():
        if isinstance(job, dict) and (key == "default" or "script" in job):
            for part in ("before_script", "script", "after_script"):
                scripts.extend(job.get(part, []))
    return scripts


def calls_of(path: Path) -> list[list[str]]:
    recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
    scripts = github_scripts(recipe) if "jobs" in recipe else gitlab_scripts(recipe)
    return [call for script in scripts for call in catalog_calls(script)]


@pytest.mark.parametrize("recipe", ["github-actions.yml", "gitlab-ci.yml"])
def test_every_catalog_command_of_the_recipe_exists_with_its_options(recipe):
    calls = calls_of(RECIPES / recipe)
    assert calls, "the recipe runs no catalog command"
    problems = {" ".join(call): call_problems(list(call)) for call in calls}
    assert {call: found for call, found in problems.items() if found} == {}


@pytest.mark.parametrize("recipe", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_recipe_covers_validate_plan_package_apply_and_drift(recipe):
    calls = calls_of(RECIPES / recipe)
    commands = {call[0] for call in calls}
    assert {"validate", "plan", "package", "apply"} <= commands
    assert any("--detailed-exitcode" in call for call in calls), "no drift check"
    applies = [call for call in calls if call[0] == "apply"]
    assert all("--plan" in call for call in applies), "apply must use the saved plan"


def test_github_applies_never_race():
    recipe = yaml.safe_load((RECIPES / "github-actions.yml").read_text(encoding="utf-8"))
    groups = {name: job.get("concurrency", {}) for name, job in recipe["jobs"].items()}
    assert groups["apply"]["group"] and groups["apply"]["cancel-in-progress"] is False
    # the drift check reads the shop: never in the middle of an apply
    assert groups["drift"]["group"] == groups["apply"]["group"]


def test_github_comments_on_pull_requests_only():
    recipe = yaml.safe_load((RECIPES / "github-actions.yml").read_text(encoding="utf-8"))
    plan_job = recipe["jobs"]["plan"]
    assert "pull_request" in plan_job["if"]
    assert plan_job["permissions"]["pull-requests"] == "write"
    comment = [s for s in plan_job["steps"] if "catalog comment" in s.get("run", "")]
    assert comment and "GITHUB_TOKEN" in comment[0]["env"]


def test_gitlab_applies_never_race():
    recipe = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert recipe["apply"]["resource_group"] == recipe["drift"]["resource_group"]


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
