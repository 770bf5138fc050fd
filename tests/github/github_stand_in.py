"""A local stand-in for the few GitHub REST endpoints `catalog comment` calls.

The answers have the shapes of GitHub's REST reference ("Issue comments": list, create, update;
"Resources in the REST API": pagination by Link header, error bodies):
- GET  /repos/{owner}/{repo}/issues/{n}/comments?per_page&page -> 200, a JSON array of comments,
  ordered by ascending id, `Link: <...&page=2>; rel="next", <...>; rel="last"` while more follow;
- POST /repos/{owner}/{repo}/issues/{n}/comments {"body"} -> 201, the comment, `Location` header;
- PATCH /repos/{owner}/{repo}/issues/comments/{id} {"body"} -> 200, the comment;
- errors -> {"message": "Bad credentials", "documentation_url": "...", "status": "401"}.
And what the merge job reads ("Pulls", "Commits", "Artifacts", "Collaborators" references):
- GET /repos/{owner}/{repo}/commits/{sha}/pulls -> the pull requests with that commit;
- GET /repos/{owner}/{repo}/pulls/{n} -> the pull request (head.sha, merged_at, ...);
- GET /repos/{owner}/{repo}/actions/runs?head_sha&event -> {"total_count", "workflow_runs"};
- GET /repos/{owner}/{repo}/actions/runs/{id}/artifacts?name= -> {"total_count", "artifacts"};
- GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip -> 302 to a short-lived blob URL;
- GET /repos/{owner}/{repo}/collaborators/{login}/permission -> {"permission": ...}, 404 if none.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DOCS = "https://docs.github.com/rest/issues/comments"
TOKEN = "ghs_s3cr3tT0kenValue"
PR_NUMBER = 42


def user(login: str, user_id: int, kind: str = "User") -> dict:
    # a simple-user object, trimmed of its dozen *_url fields the client never reads
    return {
        "login": login,
        "id": user_id,
        "node_id": f"MDQ6VXNlcj{user_id}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": kind,
        "site_admin": False,
    }


BOT = user("github-actions[bot]", 41898282, "Bot")
SELLER = user("octocat", 1)


@dataclass
class GitHubStandIn:
    """The state of the stand-in: comments per issue number, and every request seen."""

    token: str
    base_url: str = ""
    comments: dict[int, list[dict]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1_000
    pulls: dict[int, dict] = field(default_factory=dict)
    artifacts: list[dict] = field(default_factory=list)
    blobs: dict[int, bytes] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)  # login -> admin|write|read
    fail_writes_with: int | None = None  # answer POST/PATCH with this status
    next_host: str = ""  # write the next-page links for this host instead of ours

    def add(self, number: int, body: str, author: dict = SELLER) -> dict:
        self.next_id += 1
        cid = self.next_id
        comment = {
            "id": cid,
            "node_id": f"IC_kwDOABCDEF{cid}",
            "url": f"{self.base_url}/repos/octo/shop/issues/comments/{cid}",
            "html_url": f"https://github.com/octo/shop/pull/{number}#issuecomment-{cid}",
            "body": body,
            "user": author,
            "created_at": "2026-11-25T09:00:00Z",
            "updated_at": "2026-11-25T09:00:00Z",
            "issue_url": f"{self.base_url}/repos/octo/shop/issues/{number}",
            "author_association": "CONTRIBUTOR",
            "performed_via_github_app": None,
            "reactions": {"url": "", "total_count": 0, "+1": 0, "-1": 0},
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def merge(self, number: int, head_sha: str, merge_sha: str) -> dict:
        """A pull request from `head_sha`, merged as `merge_sha`."""
        self.pulls[number] = {
            "number": number,
            "state": "closed",
            "merged_at": "2026-11-25T11:00:00Z",
            "merge_commit_sha": merge_sha,
            "head": {"sha": head_sha, "ref": f"feature-{number}"},
            "base": {"ref": "main"},
        }
        return self.pulls[number]

    def upload(self, name: str, head_sha: str, run_id: int, files: dict[str, bytes]) -> dict:
        """What actions/upload-artifact leaves: an artifact of a run, its files zipped."""
        import io
        import zipfile

        self.next_id += 1
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zipped:
            for path, data in files.items():
                zipped.writestr(path, data)
        self.blobs[self.next_id] = buffer.getvalue()
        repo = f"{self.base_url}/repos/octo/shop"
        artifact = {
            "id": self.next_id,
            "node_id": f"MDg6QXJ0aWZhY3Q{self.next_id}",
            "name": name,
            "size_in_bytes": len(buffer.getvalue()),
            "url": f"{repo}/actions/artifacts/{self.next_id}",
            "archive_download_url": f"{repo}/actions/artifacts/{self.next_id}/zip",
            "expired": False,
            "created_at": f"2026-11-25T10:{len(self.artifacts):02d}:00Z",
            "expires_at": "2027-02-23T10:00:00Z",
            "updated_at": "2026-11-25T10:00:00Z",
            "workflow_run": {
                "id": run_id,
                "repository_id": 1,
                "head_repository_id": 1,
                "head_branch": "feature",
                "head_sha": head_sha,
            },
        }
        self.artifacts.append(artifact)
        return artifact

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/repos/{owner}/{repo}/commits/{sha}/pulls", self._commit_pulls),
                Route("/repos/{owner}/{repo}/pulls/{number:int}", self._pull),
                Route("/repos/{owner}/{repo}/actions/runs", self._runs),
                Route("/repos/{owner}/{repo}/actions/runs/{rid:int}/artifacts", self._artifacts),
                Route("/repos/{owner}/{repo}/actions/artifacts/{aid:int}/zip", self._zip),
                Route("/blobs/{aid:int}", self._blob),
                Route("/repos/{owner}/{repo}/collaborators/{login}/permission", self._permission),
                Route(
                    "/repos/{owner}/{repo}/issues/{number:int}/comments",
                    self._list,
                    methods=["GET"],
                ),
                Route(
                    "/repos/{owner}/{repo}/issues/{number:int}/comments",
                    self._create,
                    methods=["POST"],
                ),
                Route(
                    "/repos/{owner}/{repo}/issues/comments/{cid:int}",
                    self._update,
                    methods=["PATCH"],
                ),
            ]
        )

    def _refused(self, request: Request) -> JSONResponse | None:
        self.requests.append((request.method, request.url.path))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "Bad credentials")
        if request.method != "GET" and self.fail_writes_with:
            return _error(self.fail_writes_with, "Resource not accessible by integration")
        return None

    async def _list(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        number = request.path_params["number"]
        per_page = min(int(request.query_params.get("per_page", 30)), 100)
        page = int(request.query_params.get("page", 1))
        everything = self.comments.get(number, [])
        last = max(1, -(-len(everything) // per_page))
        headers = {}
        if page < last:
            base = f"http://{self.next_host}" if self.next_host else self.base_url
            url = f"{base}{request.url.path}?per_page={per_page}&page="
            headers["Link"] = f'<{url}{page + 1}>; rel="next", <{url}{last}>; rel="last"'
        items = everything[(page - 1) * per_page : page * per_page]
        return JSONResponse(items, headers=headers)

    async def _commit_pulls(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        sha = request.path_params["sha"]
        found = [p for p in self.pulls.values() if sha in (p["merge_commit_sha"], p["head"]["sha"])]
        return JSONResponse(found)

    async def _pull(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        pull = self.pulls.get(request.path_params["number"])
        return JSONResponse(pull) if pull else _error(404, "Not Found")

    async def _runs(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        sha = request.query_params.get("head_sha")
        runs = {}
        for a in self.artifacts:  # the runs that uploaded artifacts, as the Actions API lists runs
            run = a["workflow_run"]
            if sha in (None, run["head_sha"]):
                runs[run["id"]] = {
                    "id": run["id"],
                    "name": "catalog",
                    "head_sha": run["head_sha"],
                    "event": "pull_request",
                    "status": "completed",
                    "conclusion": "success",
                    "created_at": a["created_at"],
                }
        found = sorted(runs.values(), key=lambda r: r["created_at"], reverse=True)
        return JSONResponse({"total_count": len(found), "workflow_runs": found})

    async def _artifacts(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        name = request.query_params.get("name")
        run_id = request.path_params["rid"]
        found = [
            a
            for a in reversed(self.artifacts)
            if name in (None, a["name"]) and a["workflow_run"]["id"] == run_id
        ]
        return JSONResponse({"total_count": len(found), "artifacts": found})

    async def _zip(self, request: Request) -> Response:
        if refused := self._refused(request):
            return refused
        aid = request.path_params["aid"]
        if aid not in self.blobs:
            return _error(404, "Not Found")
        # GitHub answers with a redirect to a short-lived storage URL
        return Response(status_code=302, headers={"Location": f"{self.base_url}/blobs/{aid}"})

    async def _blob(self, request: Request) -> Response:
        # GitHub's storage is another host (httpx then drops the token); here it is the same one
        self.requests.append((request.method, request.url.path))
        return Response(self.blobs[request.path_params["aid"]], media_type="application/zip")

    async def _permission(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        permission = self.permissions.get(request.path_params["login"])
        if permission is None:
            return _error(404, "Not Found")
        return JSONResponse({"permission": permission, "role_name": permission})

    async def _create(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        payload = await request.json()
        if not isinstance(payload.get("body"), str):
            return _error(422, "Invalid request.")
        comment = self.add(request.path_params["number"], payload["body"], BOT)
        return JSONResponse(comment, status_code=201, headers={"Location": comment["url"]})

    async def _update(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        payload = await request.json()
        for comment in (c for cs in self.comments.values() for c in cs):
            if comment["id"] == request.path_params["cid"]:
                comment["body"] = payload["body"]
                comment["updated_at"] = "2026-11-25T10:00:00Z"
                return JSONResponse(comment)
        return _error(404, "Not Found")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"message": message, "documentation_url": DOCS, "status": str(status)}, status_code=status
    )


@contextmanager
def serve(stand_in: GitHubStandIn) -> Iterator[GitHubStandIn]:
    """Serve the stand-in over real HTTP on 127.0.0.1, on a port the system picks."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    stand_in.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(stand_in.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    try:
        yield stand_in
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
