"""One plan comment per pull request and catalog: created on the first run, updated later.

The comment is found again by a hidden marker on the first line of its body, keyed by the
catalog's path so that several catalogs of one repository each keep their own comment, paging
through the pull request's comments (GitHub returns at most 100 per page and links the next one).
"""

from __future__ import annotations

from collections.abc import Iterator
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


def plan_marker(catalog: str | None = None) -> str:
    """The hidden first line of a plan comment; keyed by the catalog's path when it is named."""
    if not catalog:
        return PLAN_MARKER
    # "--" would end the HTML comment early, and a newline the marker's line
    key = " ".join(catalog.replace("--", "-\N{HYPHEN}").split())
    return f"<!-- catalog-reconciler plan: {key} -->"


def catalog_key(catalog: str) -> str:
    """The catalog's path as written in markers and names: no ./ in front, no / at the end."""
    text = catalog.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.rstrip("/") or "."


def comment_body(markdown: str, catalog: str | None = None) -> str:
    """The body we post: the marker, the catalog's name, then the plan, cut to what fits."""
    if len(markdown) > MAX_BODY:
        markdown = markdown[:MAX_BODY] + TRUNCATED_NOTICE
    title = f"### Catalog `{catalog}`\n\n" if catalog else ""
    return f"{plan_marker(catalog)}\n{title}{markdown}"


def is_plan_comment(body: str | None, marker: str) -> bool:
    return (body or "").split("\n", 1)[0].strip() == marker


def upsert_plan_comment(
    pr: PullRequest,
    markdown: str,
    create: bool = True,
    transport: httpx.BaseTransport | None = None,
    catalog: str | None = None,
) -> CommentResult:
    """Update the pull request's plan comment, or create it when there is none yet.

    With create=False an existing comment is still brought up to date (it would otherwise show
    a plan that no longer holds), but no new comment is added.
    """
    catalog = catalog_key(catalog) if catalog else None
    body = comment_body(markdown, catalog)
    with client_for(pr, transport) as client:
        existing = find_plan_comment(client, pr, plan_marker(catalog))
        if existing is None and not create:
            return CommentResult("skipped")
        if existing is None:
            answer = call(client, pr, "POST", pr.comments_path, json={"body": body})
            return CommentResult("created", answer.json().get("html_url", ""))
        if existing.get("body") == body:
            # same plan as last run: an edit would change nothing but the "edited" mark
            return CommentResult("unchanged", existing.get("html_url", ""))
        path = f"/repos/{pr.owner}/{pr.repo}/issues/comments/{existing['id']}"
        answer = call(client, pr, "PATCH", path, json={"body": body})
        return CommentResult("updated", answer.json().get("html_url", ""))


def find_plan_comment(
    client: httpx.Client, pr: PullRequest, marker: str = PLAN_MARKER
) -> dict | None:
    """The oldest comment of the pull request that starts with `marker`, or None."""
    for comment in pull_request_comments(client, pr):
        if is_plan_comment(comment.get("body"), marker):
            return comment
    return None


def pull_request_comments(client: httpx.Client, pr: PullRequest) -> Iterator[dict]:
    """Every comment of the pull request, oldest first, page after page."""
    url: str | None = pr.comments_path
    params: dict[str, int] | None = {"per_page": 100}
    while url:
        answer = call(client, pr, "GET", url, params=params)
        yield from answer.json()
        # the next link already carries per_page and page
        url, params = answer.links.get("next", {}).get("url"), None
        if url and _origin(url) != _origin(pr.api_url):
            # the token goes with every request: never to a host other than the API's
            raise GitHubError(f"GitHub's next page points to another host: {url}")


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return (parsed.scheme, parsed.host, parsed.port)


def client_for(pr: PullRequest, transport: httpx.BaseTransport | None) -> httpx.Client:
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


def call(client: httpx.Client, pr: PullRequest, method: str, url: str, **kwargs) -> httpx.Response:
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
