from __future__ import annotations

import pytest
from gitlab_stand_in import MR_IID, PROJECT, TOKEN, GitLabStandIn, serve


@pytest.fixture
def gitlab():
    with serve(GitLabStandIn(token=TOKEN)) as stand_in:
        yield stand_in


@pytest.fixture
def ci_env(gitlab: GitLabStandIn) -> dict[str, str]:
    """The variables of a GitLab merge-request pipeline, pointed at the stand-in."""
    return {
        "GITLAB_API_TOKEN": TOKEN,
        "CI_API_V4_URL": gitlab.api_url,
        "CI_PROJECT_ID": str(PROJECT),
        "CI_PROJECT_URL": "https://gitlab.example.com/octo/shop",
        "CI_MERGE_REQUEST_IID": str(MR_IID),
        "CI_PIPELINE_SOURCE": "merge_request_event",
    }
