"""One plan comment per pull request: created on the first run, updated on every later one.

The comment is found again by a hidden marker at the top of its body, paging through the pull
request's comments (GitHub returns at most 100 per page and links the next one).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from reconciler.github.actions import GitHubError, PullRequest
from reconciler.scrub import scrub

PLAN_MARKER = "<!-- catalog-reconciler plan -->"
# GitHub refuses comment bodies over 65,536 characters; keep room for the marker and the notice.
MAX_BODY = 65_000
TRUNCATED_NOTICE = "\n\n… the plan is too long for a comment: see the plan artefact of this run."


@dataclass(frozen=True, slots=True)
class CommentResult:
    action: str  # created | updated | unchanged | skipped
    url: str = ""  # the comment's html_url


def comment_body(markdown: str) -> str:
    """The body we post: the marker, then the plan, cut to what GitHub accepts."""
    if len(markdown) > MAX_BODY:
        markdown = markdown[:MAX_BODY] + TRUNCATED_NOTICE
    return f"{PLAN_MARKER}\n{markdown}"


def upsert_plan_comment(
    pr: PullRequest,
    markdown: str,
    create: bool = True,
    transport: httpx.BaseTransport | None = None,
) -> CommentResult:
    """Update the pull request's plan comment, or create it when there is none yet.

    With create=False an existing comment is still brought up to date (it would otherwise show
    a plan that no longer holds), but no new comment is added.
    """
    body = comment_body(markdown)
    with _client(pr, transport) as client:
        existing = find_plan_comment(client, pr)
        if existing is None and not create:
            return CommentResult("skipped")
        if existing is None:
            answer = _call(client, pr, "POST", pr.comments_path, json={"body": body})
            return CommentResult("created", answer.json().get("html_url", ""))
        if existing.get("body") == body:
            # same plan as last run: an edit would change nothing but the "edited" mark
            return CommentResult("unchanged", existing.get("html_url", ""))
        path = f"/repos/{pr.owner}/{pr.repo}/issues/comments/{existing['id']}"
        answer = _call(client, pr, "PATCH", path, json={"body": body})
        return CommentResult("updated", answer.json().get("html_url", ""))


def find_plan_comment(client: httpx.Client, pr: PullRequest) -> dict | None:
    """The oldest comment of the pull request that carries our marker, or None."""
    url: str | None = pr.comments_path
    params: dict[str, int] | None = {"per_page": 100}
    while url:
        answer = _call(client, pr, "GET", url, params=params)
        for comment in answer.json():
            if PLAN_MARKER in (comment.get("body") or ""):
                return comment
        # the next link already carries per_page and page
        url, params = answer.links.get("next", {}).get("url"), None
        if url and _origin(url) != _origin(pr.api_url):
            # the token goes with every request: never to a host other than the API's
            raise GitHubError(f"GitHub's next page points to another host: {url}")
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return (parsed.scheme, parsed.host, parsed.port)


def _client(pr: PullRequest, transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(
        base_url=pr.api_url,
        transport=transport,
        timeout=30,
        headers={
            "Authorization": f"Bearer {pr.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "catalog-reconciler",
        },
    )


def _call(client: httpx.Client, pr: PullRequest, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        answer = client.request(method, url, **kwargs)
    except httpx.HTTPError as err:
        raise GitHubError(_scrub(f"cannot reach GitHub at {pr.api_url}: {err}", pr)) from None
    if answer.is_success:
        return answer
    raise GitHubError(_scrub(_failure(method, answer), pr))


def _failure(method: str, answer: httpx.Response) -> str:
    """GitHub's own words: {"message": ..., "documentation_url": ..., "errors": [...]}."""
    try:
        payload = answer.json()
    except ValueError:
        payload = {}
    message = payload.get("message") if isinstance(payload, dict) else None
    details = payload.get("errors") if isinstance(payload, dict) else None
    text = f"GitHub answered {answer.status_code} to {method} {answer.request.url.path}"
    text += f": {message}" if message else f": {answer.text[:200]}"
    if details:
        text += f" ({details})"
    return text


def _scrub(text: str, pr: PullRequest) -> str:
    """The text without the token, in any form (as httpx quotes a header it could not send,
    URL-encoded, base64, ...)."""
    return scrub(text, pr.token)
