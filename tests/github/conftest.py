from __future__ import annotations

import json
from pathlib import Path

import pytest
from github_stand_in import PR_NUMBER, TOKEN, GitHubStandIn, serve


@pytest.fixture
def github():
    with serve(GitHubStandIn(token=TOKEN)) as stand_in:
        yield stand_in


@pytest.fixture
def actions_env(github: GitHubStandIn, tmp_path: Path) -> dict[str, str]:
    """The environment of a GitHub Actions run on pull request #42, pointed at the stand-in."""
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {"action": "synchronize", "number": PR_NUMBER, "pull_request": {"number": PR_NUMBER}}
        )
    )
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": github.base_url,
    }
