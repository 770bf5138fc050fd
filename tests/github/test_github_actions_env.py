from __future__ import annotations

import json

import pytest

from reconciler.github.actions import DEFAULT_API_URL, GitHubError, pull_request_from_env


def event_file(tmp_path, payload) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def test_reads_the_pull_request_of_the_run(tmp_path):
    env = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": event_file(tmp_path, {"pull_request": {"number": 7}}),
    }
    pr = pull_request_from_env(env)
    assert (pr.owner, pr.repo, pr.number, pr.api_url) == ("octo", "shop", 7, DEFAULT_API_URL)
    assert pr.comments_path == "/repos/octo/shop/issues/7/comments"


def test_an_issue_comment_event_on_a_pull_request_is_accepted(tmp_path):
    env = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": event_file(tmp_path, {"issue": {"number": 9}}),
        "GITHUB_API_URL": "https://github.example.com/api/v3/",
    }
    pr = pull_request_from_env(env)
    assert pr.number == 9
    assert pr.api_url == "https://github.example.com/api/v3"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"GITHUB_TOKEN": ""}, "GITHUB_TOKEN is not set"),
        ({"GITHUB_REPOSITORY": "shop"}, "owner/name"),
        ({"GITHUB_EVENT_PATH": ""}, "GITHUB_EVENT_PATH is not set"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "cannot read the event file"),
    ],
)
def test_what_is_missing_is_named(tmp_path, change, message):
    env = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": event_file(tmp_path, {"pull_request": {"number": 7}}),
        **change,
    }
    with pytest.raises(GitHubError, match=message):
        pull_request_from_env(env)


def test_a_push_event_is_not_a_pull_request(tmp_path):
    env = {
        "GITHUB_TOKEN": "t",
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": event_file(tmp_path, {"ref": "refs/heads/main"}),
    }
    with pytest.raises(GitHubError, match="not about a pull request"):
        pull_request_from_env(env)
