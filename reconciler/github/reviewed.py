"""The merge job's side of review: the plan saved by the merged pull request, and its ack.

On a push to main, GITHUB_SHA is the merge commit. GitHub names the pull request merged as that
commit (GET /repos/{o}/{r}/commits/{sha}/pulls); the plan reviewed there is the artifact that
the newest pull_request run of its head commit uploaded (GET .../actions/runs?head_sha=...,
GET .../actions/runs/{id}/artifacts?name=..., then the artifact's zip: `actions: read`).
A guard-blocked plan goes through only when someone with write access commented
`/catalog ack <that plan's hash>` on the pull request (GET .../collaborators/{login}/permission):
the hash pins the exact plan.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from reconciler.github.actions import GitHubError, PullRequest, pull_request_from_env
from reconciler.github.comments import call, client_for, pull_request_comments

ACK = re.compile(r"^/catalog ack ([0-9a-f]{8,64})\s*$", re.MULTILINE)
WRITERS = {"admin", "maintain", "write"}
PLAN_FILE = "plan.json"
Transport = httpx.BaseTransport | None


@dataclass(frozen=True, slots=True)
class ReviewedPlan:
    pull_request: int
    run_id: int
    plan_json: bytes


def merged_pull_request(env: Mapping[str, str], transport: Transport = None) -> PullRequest:
    """The pull request merged as GITHUB_SHA (this push's commit), or a GitHubError."""
    sha = env.get("GITHUB_SHA", "")
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise GitHubError("GITHUB_SHA is not a commit: run this in a GitHub Actions job on push")
    repo = pull_request_from_env(env, number=0)  # the repository and token; no PR known yet
    with client_for(repo, transport) as client:
        path = f"/repos/{repo.owner}/{repo.repo}/commits/{sha}/pulls"
        pulls = call(client, repo, "GET", path).json()
    merged = [p for p in pulls if p.get("merged_at") and p.get("merge_commit_sha") == sha]
    if not merged:
        raise GitHubError(
            f"no pull request was merged as {sha[:12]}: a push straight to the branch has "
            "no reviewed plan (merge through a pull request)"
        )
    return PullRequest(repo.owner, repo.repo, merged[0]["number"], repo.api_url, repo.token)


def reviewed_plan(pr: PullRequest, artifact: str, transport: Transport = None) -> ReviewedPlan:
    """The plan.json of the newest unexpired `artifact` made for the pull request's head."""
    with client_for(pr, transport) as client:
        head = call(client, pr, "GET", f"/repos/{pr.owner}/{pr.repo}/pulls/{pr.number}").json()
        head_sha = head["head"]["sha"]
        newest = _newest_artifact(client, pr, head_sha, artifact)
        if newest is None:
            raise GitHubError(
                f"pull request #{pr.number} has no artifact {artifact} for its last commit "
                f"{head_sha[:12]} (expired, or its plan job did not run): nothing reviewed to apply"
            )
        url = newest["archive_download_url"]
        if httpx.URL(url).host != httpx.URL(pr.api_url).host:  # the token goes along
            raise GitHubError(f"GitHub's artifact link points to another host: {url}")
        archive = call(client, pr, "GET", url, follow_redirects=True)
    try:
        with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
            plan = zipped.read(PLAN_FILE)
    except (zipfile.BadZipFile, KeyError):
        raise GitHubError(f"artifact {artifact} holds no {PLAN_FILE}") from None
    return ReviewedPlan(pr.number, newest["workflow_run"]["id"], plan)


def _newest_artifact(
    client: httpx.Client, pr: PullRequest, head_sha: str, artifact: str
) -> dict | None:
    """The artifact of the newest pull_request run of `head_sha` that has one, unexpired."""
    repo = f"/repos/{pr.owner}/{pr.repo}/actions"
    params = {"head_sha": head_sha, "event": "pull_request", "per_page": 100}
    runs = call(client, pr, "GET", f"{repo}/runs", params=params).json().get("workflow_runs", [])
    for run in sorted(runs, key=lambda r: (r.get("created_at") or "", r["id"]), reverse=True):
        path = f"{repo}/runs/{run['id']}/artifacts"
        found = call(client, pr, "GET", path, params={"name": artifact}).json()
        usable = [a for a in found.get("artifacts", []) if not a.get("expired")]
        if usable:
            return max(usable, key=lambda a: (a.get("created_at") or "", a["id"]))
    return None


def acknowledged(pr: PullRequest, plan_hash: str, transport: Transport = None) -> bool:
    """Whether someone with write access commented `/catalog ack <plan_hash>` on the PR."""
    with client_for(pr, transport) as client:
        logins = {
            (comment.get("user") or {}).get("login", "")
            for comment in pull_request_comments(client, pr)
            if plan_hash in ACK.findall(comment.get("body") or "")
        }
        for login in sorted(logins - {""}):
            path = f"/repos/{pr.owner}/{pr.repo}/collaborators/{login}/permission"
            answer = client.get(path)  # 404: not a collaborator at all
            if answer.is_success and answer.json().get("permission") in WRITERS:
                return True
    return False
