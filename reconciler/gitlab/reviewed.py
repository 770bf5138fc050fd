"""The merge pipeline's side of review on GitLab: the plan saved by the merged merge request.

On the default branch, CI_COMMIT_SHA is the merge (or squash) commit; GitLab names the merge
request it came from (GET /projects/:id/repository/commits/:sha/merge_requests). The plan
reviewed there is the artifact of the plan job in the latest successful pipeline of the merge
request's head (GET /projects/:id/jobs/artifacts/refs/merge-requests/:iid/head/raw/plan.json
?job=...). A guard-blocked plan goes through only when a member with Developer access or more
wrote `/catalog ack <that plan's hash>` in a note (GET /projects/:id/members/all/:user_id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from reconciler.github.reviewed import ACK, PLAN_FILE, ReviewedPlan
from reconciler.gitlab.notes import (
    GitLabError,
    MergeRequest,
    Transport,
    call,
    client_for,
    merge_request_from_env,
    notes,
)

DEVELOPER = 30  # GitLab's access levels: 30 Developer, 40 Maintainer, 50 Owner


def merged_pull_request(env: Mapping[str, str], transport: Transport = None) -> MergeRequest:
    sha = env.get("CI_COMMIT_SHA", "")
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise GitLabError("CI_COMMIT_SHA is not a commit: run this in a GitLab CI job")
    project = merge_request_from_env(env, iid=0)  # the project and token; no MR known yet
    with client_for(project, transport) as client:
        path = f"/projects/{project.project}/repository/commits/{sha}/merge_requests"
        found = call(client, project, "GET", path).json()
    merged = [
        m
        for m in found
        if m.get("state") == "merged"
        and sha in (m.get("merge_commit_sha"), m.get("squash_commit_sha"))
    ]
    if not merged:
        raise GitLabError(
            f"no merge request was merged as {sha[:12]}: a push straight to the branch has no "
            "reviewed plan (merge through a merge request)"
        )
    return MergeRequest(
        project.api_url, project.project, merged[0]["iid"], project.token, project.project_url
    )


def reviewed_plan(mr: MergeRequest, job: str, transport: Transport = None) -> ReviewedPlan:
    """plan.json of job `job` in the merge request's latest successful head pipeline."""
    ref = quote(f"refs/merge-requests/{mr.iid}/head", safe="")
    path = f"/projects/{mr.project}/jobs/artifacts/{ref}/raw/{PLAN_FILE}"
    with client_for(mr, transport) as client:
        answer = client.get(path, params={"job": job}, follow_redirects=True)
    if answer.status_code == 404:
        raise GitLabError(
            f"merge request !{mr.iid} has no {PLAN_FILE} from job {job} in a successful "
            "pipeline (expired, or the plan job did not run): nothing reviewed to apply"
        )
    if not answer.is_success:
        raise GitLabError(f"GitLab answered {answer.status_code} to GET {path}")
    return ReviewedPlan(mr.iid, 0, answer.content)


def acknowledged(mr: MergeRequest, plan_hash: str, transport: Transport = None) -> bool:
    """Whether a member with Developer access or more wrote `/catalog ack <plan_hash>`."""
    with client_for(mr, transport) as client:
        authors = {
            (note.get("author") or {}).get("id")
            for note in notes(client, mr)
            if not note.get("system") and plan_hash in ACK.findall(note.get("body") or "")
        }
        for user in sorted(a for a in authors if isinstance(a, int)):
            answer = client.get(f"/projects/{mr.project}/members/all/{user}")
            if answer.is_success and (answer.json().get("access_level") or 0) >= DEVELOPER:
                return True
    return False
