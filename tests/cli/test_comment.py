"""`catalog comment` mistakes: named, exit 1, nothing posted (no GitHub needed to see them)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli


@pytest.fixture
def actions_env(tmp_path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3}}), encoding="utf-8")
    return {
        "GITHUB_TOKEN": "ghs_not_used",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": str(event),
        # nothing listens here: a test that reached GitHub would fail with "cannot reach"
        "GITHUB_API_URL": "http://127.0.0.1:9",
    }


def run(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["comment", *args], env=env, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "plan.json"], "--github or --gitlab"),
        (["--github", "--gitlab", "--plan", "plan.json"], "--github or --gitlab"),
        (["--github"], "give the plan to post"),
        (["--github", "--pull-request", "0", "--plan", "p.json"], "0 is not in the range"),
        (["--github", "--plan", "p.json", "--on-no-changes", "shout"], "'shout' is not one of"),
    ],
)
def test_usage_mistakes_are_named(actions_env, args, message):
    result = run(actions_env, *args)
    assert result.exit_code == 64  # a usage error
    assert message in result.output
    assert "cannot reach" not in result.output


def test_outside_github_actions_it_says_what_is_missing(tmp_path):
    env = {"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "", "GITHUB_EVENT_PATH": ""}
    result = run(env, "--github", "--plan", str(tmp_path / "plan.json"))
    assert result.exit_code == 1
    assert "GITHUB_TOKEN is not set" in result.output


def test_a_damaged_plan_file_is_an_error_not_a_traceback(actions_env, tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run(actions_env, "--github", "--plan", str(broken))
    assert result.exit_code == 1
    assert "is not JSON" in result.output
    assert "Traceback" not in result.output


def test_a_missing_plan_file_is_named(actions_env, tmp_path):
    result = run(actions_env, "--github", "--plan", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert "cannot read plan" in result.output
