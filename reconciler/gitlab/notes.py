"""One plan note per merge request and catalog, edited in place on every pipeline.

GitLab CI sets CI_API_V4_URL, CI_PROJECT_ID and, in merge-request pipelines,
CI_MERGE_REQUEST_IID. Writing notes needs a token with `api` scope (a project access token in a
masked variable GITLAB_API_TOKEN: the job token CI_JOB_TOKEN cannot write notes). The note is
found again by the same keyed marker as the GitHub comment, on its first line.
Notes API: GET/POST /projects/:id/merge_requests/:iid/notes, PUT .../notes/:note_id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import httpx

from reconciler.errors import ReconcilerError
from reconciler.github.comments import (
    CommentResult,
    catalog_key,
    comment_body,
    is_plan_comment,
    plan_marker,
)

Transport = httpx.BaseTransport | None


class GitLabError(ReconcilerError):
    """GitLab refused or could not be reached; the message never carries the token."""


@dataclass(frozen=True, slots=True)
class MergeRequest:
    api_url: str  # CI_API_V4_URL, e.g. https://gitlab.com/api/v4
    project: str  # CI_PROJECT_ID
    iid: int
    token: str = field(default="", repr=False)
    project_url: str = ""  # CI_PROJECT_URL, for the note's link

    @property
    def notes_path(self) -> str:
        return f"/projects/{self.project}/merge_requests/{self.iid}/notes"


def merge_request_from_env(env: Mapping[str, str], iid: int | None = None) -> MergeRequest:
    """The merge request of this pipeline (or `iid`), or a GitLabError naming what is missing."""
    token = env.get("GITLAB_API_TOKEN", "").strip()
    if not token:
        raise GitLabError(
            "GITLAB_API_TOKEN is not set: a project access token with `api` scope, "
            "as a masked CI/CD variable (CI_JOB_TOKEN cannot write notes)"
        )
    if not (token.isascii() and token.isprintable()):
        raise GitLabError("GITLAB_API_TOKEN holds characters no token has: check the variable")
    api_url = env.get("CI_API_V4_URL", "").rstrip("/")
    project = env.get("CI_PROJECT_ID", "")
    if not api_url or not project.isdigit():
        raise GitLabError("CI_API_V4_URL and CI_PROJECT_ID are not set: run this in GitLab CI")
    if iid is None:
        raw = env.get("CI_MERGE_REQUEST_IID", "")
        if not raw.isdigit():
            raise GitLabError(
                "CI_MERGE_REQUEST_IID is not set: run this in a merge-request pipeline "
                "(rules: if: $CI_PIPELINE_SOURCE == 'merge_request_event'), or name the "
                "merge request with --pull-request"
            )
        iid = int(raw)
    project_url = env.get("CI_PROJECT_URL", "").rstrip("/")
    return MergeRequest(api_url, project, iid, token=token, project_url=project_url)


def upsert_plan_note(
    mr: MergeRequest,
    markdown: str,
    create: bool = True,
    catalog: str | None = None,
    transport: Transport = None,
) -> CommentResult:
    """Edit the merge request's plan note for this catalog, or add it when there is none."""
    catalog = catalog_key(catalog) if catalog else None
    body = comment_body(markdown, catalog)
    marker = plan_marker(catalog)
    with client_for(mr, transport) as client:
        existing = next(
            (
                n
                for n in notes(client, mr)
                if not n.get("system") and is_plan_comment(n.get("body"), marker)
            ),
            None,
        )
        if existing is None and not create:
            return CommentResult("skipped")
        if existing is None:
            answer = call(client, mr, "POST", mr.notes_path, json={"body": body})
            return CommentResult("created", _note_url(mr, answer.json()))
        if existing.get("body") == body:
            return CommentResult("unchanged", _note_url(mr, existing))
        path = f"{mr.notes_path}/{existing['id']}"
        answer = call(client, mr, "PUT", path, json={"body": body})
        return CommentResult("updated", _note_url(mr, answer.json()))


def notes(client: httpx.Client, mr: MergeRequest) -> Iterator[dict]:
    """Every note of the merge request, oldest first, page after page (Link rel=next)."""
    url: str | None = mr.notes_path
    params: dict[str, str | int] | None = {"per_page": 100, "sort": "asc", "order_by": "created_at"}
    while url:
        answer = call(client, mr, "GET", url, params=params)
        yield from answer.json()
        url, params = answer.links.get("next", {}).get("url"), None
        if url and httpx.URL(url).host != httpx.URL(mr.api_url).host:
            raise GitLabError(f"GitLab's next page points to another host: {url}")


def _note_url(mr: MergeRequest, note: dict) -> str:
    # a note has no web URL of its own in the API: the merge request's page and its anchor
    anchor = f"merge_requests/{mr.iid}#note_{note.get('id')}"
    return f"{mr.project_url}/-/{anchor}" if mr.project_url else anchor


def client_for(mr: MergeRequest, transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(
        base_url=mr.api_url,
        transport=transport,
        timeout=30,
        headers={"PRIVATE-TOKEN": mr.token, "User-Agent": "catalog-reconciler"},
    )


def call(client: httpx.Client, mr: MergeRequest, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        answer = client.request(method, url, **kwargs)
    except httpx.HTTPError as err:
        raise GitLabError(_scrub(f"cannot reach GitLab at {mr.api_url}: {err}", mr)) from None
    if answer.is_success:
        return answer
    try:
        payload = answer.json()
    except ValueError:
        payload = {}
    message = payload.get("message") or payload.get("error") if isinstance(payload, dict) else None
    text = f"GitLab answered {answer.status_code} to {method} {answer.request.url.path}: "
    raise GitLabError(_scrub(text + str(message or answer.text[:200]), mr))


def _scrub(text: str, mr: MergeRequest) -> str:
    return text.replace(mr.token, "***") if mr.token else text
