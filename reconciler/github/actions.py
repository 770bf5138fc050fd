"""What a GitHub Actions run tells us about itself: the repository, the pull request, a token.

GitHub sets GITHUB_TOKEN (when the workflow passes it), GITHUB_REPOSITORY (owner/name),
GITHUB_EVENT_PATH (the JSON of the event that started the run) and GITHUB_API_URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import ReconcilerError

DEFAULT_API_URL = "https://api.github.com"


class GitHubError(ReconcilerError):
    """GitHub refused or could not be reached; the message never carries the token."""


@dataclass(frozen=True, slots=True)
class PullRequest:
    """The pull request of the current run, and how to talk to GitHub about it."""

    owner: str
    repo: str
    number: int
    api_url: str = DEFAULT_API_URL
    # repr=False: the token must never reach a log line or an error message through a repr
    token: str = field(default="", repr=False)

    @property
    def comments_path(self) -> str:
        return f"/repos/{self.owner}/{self.repo}/issues/{self.number}/comments"


def pull_request_from_env(env: Mapping[str, str], number: int | None = None) -> PullRequest:
    """The pull request this Actions run is about (or `number`), or a GitHubError naming what
    is missing. A push to main is about no pull request: the merge job names it."""
    # a token pasted with its newline is still the token (and a newline cannot go in a header)
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise GitHubError(
            "GITHUB_TOKEN is not set: pass it to the step, e.g. "
            "`env: {GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}}`"
        )
    if not (token.isascii() and token.isprintable()):
        raise GitHubError(
            "GITHUB_TOKEN holds characters no token has (only printable ASCII is possible): "
            "check the secret passed to the step"
        )
    repository = env.get("GITHUB_REPOSITORY", "")
    owner, _, repo = repository.partition("/")
    if not owner or not repo:
        raise GitHubError(f"GITHUB_REPOSITORY must be owner/name, got {repository!r}")
    if number is None:
        number = _pull_request_number(env.get("GITHUB_EVENT_PATH", ""))
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    return PullRequest(owner=owner, repo=repo, number=number, api_url=api_url, token=token)


def _pull_request_number(event_path: str) -> int:
    if not event_path:
        raise GitHubError("GITHUB_EVENT_PATH is not set: run this inside GitHub Actions")
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GitHubError(f"cannot read the event file {event_path}: {err}") from None
    # pull_request / pull_request_target events carry pull_request.number; an issue_comment on
    # a pull request carries issue.number (a pull request is an issue to the comments API)
    for key in ("pull_request", "issue"):
        node = event.get(key) if isinstance(event, dict) else None
        if isinstance(node, dict) and isinstance(node.get("number"), int):
            return node["number"]
    raise GitHubError(
        f"the event in {event_path} is not about a pull request "
        "(run `catalog comment` on pull_request events)"
    )
