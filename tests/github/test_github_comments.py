from __future__ import annotations

import pytest
from github_stand_in import PR_NUMBER, TOKEN, GitHubStandIn

from reconciler.github.actions import GitHubError, PullRequest, pull_request_from_env
from reconciler.github.comments import PLAN_MARKER, upsert_plan_comment


def pr_of(env: dict[str, str]) -> PullRequest:
    return pull_request_from_env(env)


def test_creates_the_comment_then_updates_the_same_one(github: GitHubStandIn, actions_env):
    pr = pr_of(actions_env)
    first = upsert_plan_comment(pr, "**1 to update**")
    assert first.action == "created"
    [comment] = github.comments[PR_NUMBER]
    assert comment["body"] == f"{PLAN_MARKER}\n**1 to update**"
    assert first.url == comment["html_url"]

    second = upsert_plan_comment(pr, "**2 to update**")
    assert second.action == "updated"
    assert [c["body"] for c in github.comments[PR_NUMBER]] == [f"{PLAN_MARKER}\n**2 to update**"]
    assert ("PATCH", f"/repos/octo/shop/issues/comments/{comment['id']}") in github.requests


def test_same_plan_again_sends_no_edit(github: GitHubStandIn, actions_env):
    pr = pr_of(actions_env)
    upsert_plan_comment(pr, "plan")
    again = upsert_plan_comment(pr, "plan")
    assert again.action == "unchanged"
    assert [m for m, _ in github.requests].count("PATCH") == 0


def test_finds_the_marker_on_a_later_page(github: GitHubStandIn, actions_env):
    for i in range(150):  # 100 per page: ours sits on page 2, after the seller's chatter
        github.add(PR_NUMBER, f"looks good {i}")
    ours = github.add(PR_NUMBER, f"{PLAN_MARKER}\nold plan")
    github.add(PR_NUMBER, "one more remark")

    result = upsert_plan_comment(pr_of(actions_env), "new plan")

    assert result.action == "updated"
    assert ours["body"] == f"{PLAN_MARKER}\nnew plan"
    assert len(github.comments[PR_NUMBER]) == 152
    pages = [path for method, path in github.requests if method == "GET"]
    assert len(pages) == 2


def test_without_create_nothing_is_posted_but_a_stale_comment_is_refreshed(
    github: GitHubStandIn, actions_env
):
    pr = pr_of(actions_env)
    assert upsert_plan_comment(pr, "no changes", create=False).action == "skipped"
    assert github.comments.get(PR_NUMBER, []) == []

    upsert_plan_comment(pr, "1 to create")
    assert upsert_plan_comment(pr, "no changes", create=False).action == "updated"
    assert github.comments[PR_NUMBER][0]["body"].endswith("no changes")


def test_a_refused_post_fails_loudly_with_githubs_message(github: GitHubStandIn, actions_env):
    github.fail_writes_with = 403
    with pytest.raises(GitHubError) as caught:
        upsert_plan_comment(pr_of(actions_env), "plan")
    assert "403" in str(caught.value)
    assert "Resource not accessible by integration" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_bad_credentials_name_githubs_reason_never_the_token(github: GitHubStandIn, actions_env):
    pr = pr_of({**actions_env, "GITHUB_TOKEN": "ghs_wrong"})
    with pytest.raises(GitHubError) as caught:
        upsert_plan_comment(pr, "plan")
    assert "401" in str(caught.value) and "Bad credentials" in str(caught.value)
    assert "ghs_wrong" not in str(caught.value)
    assert "ghs_wrong" not in repr(pr)


def test_unreachable_github_is_an_error_not_a_traceback(actions_env):
    pr = pr_of({**actions_env, "GITHUB_API_URL": "http://127.0.0.1:9"})
    with pytest.raises(GitHubError, match="cannot reach GitHub"):
        upsert_plan_comment(pr, "plan")


def test_a_huge_plan_is_cut_to_what_github_accepts(github: GitHubStandIn, actions_env):
    upsert_plan_comment(pr_of(actions_env), "x" * 100_000)
    body = github.comments[PR_NUMBER][0]["body"]
    assert len(body) < 65_536
    assert body.endswith("see the plan artefact of this run.")


def test_the_token_never_follows_a_next_link_to_another_host(github: GitHubStandIn, actions_env):
    for i in range(101):
        github.add(PR_NUMBER, f"remark {i}")
    github.next_host = "evil.example.com"
    with pytest.raises(GitHubError, match="another host"):
        upsert_plan_comment(pr_of(actions_env), "plan")
    assert [m for m, _ in github.requests] == ["GET"]
