"""A local stand-in for the GitLab REST endpoints (API v4) the tool calls from GitLab CI.

Shapes from GitLab's REST reference ("Notes", "Commits", "Job artifacts", "Project members"):
- GET  /api/v4/projects/:id/merge_requests/:iid/notes?per_page&page&sort&order_by -> notes,
  `Link: <...>; rel="next"` (and X-Next-Page) while more follow;
- POST /api/v4/projects/:id/merge_requests/:iid/notes {"body"} -> 201, the note;
- PUT  /api/v4/projects/:id/merge_requests/:iid/notes/:note_id {"body"} -> 200, the note;
- GET  /api/v4/projects/:id/repository/commits/:sha/merge_requests -> the merge requests;
- GET  /api/v4/projects/:id/jobs/artifacts/:ref_name/raw/*path?job= -> the file from the latest
  successful pipeline of that ref, 404 {"message": "404 Not Found"} when there is none;
- GET  /api/v4/projects/:id/members/all/:user_id -> {"id", "username", "access_level"}, or 404;
- a missing or wrong PRIVATE-TOKEN -> 401 {"message": "401 Unauthorized"}.
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

TOKEN = "glpat-s3cr3tT0kenValue"
PROJECT = 7
MR_IID = 12
BOT = {"id": 900, "username": "project_7_bot", "name": "catalog bot", "state": "active"}
SELLER = {"id": 1, "username": "seller", "name": "Seller", "state": "active"}


@dataclass
class GitLabStandIn:
    token: str
    base_url: str = ""
    notes: dict[int, list[dict]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    merged: list[dict] = field(default_factory=list)
    artifacts: dict[tuple[str, str, str], bytes] = field(default_factory=dict)  # ref, job, path
    members: dict[int, int] = field(default_factory=dict)  # user id -> access level
    next_id: int = 5_000

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v4"

    def add(self, iid: int, body: str, author: dict = SELLER, system: bool = False) -> dict:
        self.next_id += 1
        note = {
            "id": self.next_id,
            "type": None,
            "body": body,
            "author": author,
            "created_at": "2026-11-25T09:00:00.000Z",
            "updated_at": "2026-11-25T09:00:00.000Z",
            "system": system,
            "noteable_id": 100 + iid,
            "noteable_type": "MergeRequest",
            "noteable_iid": iid,
            "project_id": PROJECT,
            "resolvable": False,
            "confidential": False,
            "internal": False,
        }
        self.notes.setdefault(iid, []).append(note)
        return note

    def merge(self, iid: int, head_sha: str, merge_sha: str) -> None:
        self.merged.append(
            {
                "id": 100 + iid,
                "iid": iid,
                "project_id": PROJECT,
                "state": "merged",
                "sha": head_sha,
                "merge_commit_sha": merge_sha,
                "squash_commit_sha": None,
                "source_branch": f"feature-{iid}",
                "target_branch": "main",
            }
        )

    def app(self) -> Starlette:
        p = "/api/v4/projects/{pid:int}"
        return Starlette(
            routes=[
                Route(p + "/merge_requests/{iid:int}/notes", self._list, methods=["GET"]),
                Route(p + "/merge_requests/{iid:int}/notes", self._create, methods=["POST"]),
                Route(
                    p + "/merge_requests/{iid:int}/notes/{nid:int}", self._update, methods=["PUT"]
                ),
                Route(p + "/repository/commits/{sha}/merge_requests", self._commit_mrs),
                Route(p + "/jobs/artifacts/{rest:path}", self._artifact),
                Route(p + "/members/all/{uid:int}", self._member),
            ]
        )

    def _refused(self, request: Request) -> JSONResponse | None:
        self.requests.append((request.method, request.url.path))
        if request.headers.get("private-token") != self.token:
            return JSONResponse({"message": "401 Unauthorized"}, status_code=401)
        if request.path_params.get("pid") != PROJECT:
            return _not_found("Project")
        return None

    async def _list(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        everything = self.notes.get(request.path_params["iid"], [])
        if request.query_params.get("sort", "desc") == "desc":  # GitLab's default: newest first
            everything = list(reversed(everything))
        per_page = min(int(request.query_params.get("per_page", 20)), 100)
        page = int(request.query_params.get("page", 1))
        last = max(1, -(-len(everything) // per_page))
        headers = {"X-Page": str(page), "X-Total-Pages": str(last)}
        if page < last:
            query = request.query_params._dict | {"page": str(page + 1)}  # noqa: SLF001
            link = f"{self.base_url}{request.url.path}?" + "&".join(
                f"{k}={v}" for k, v in query.items()
            )
            headers |= {"Link": f'<{link}>; rel="next"', "X-Next-Page": str(page + 1)}
        return JSONResponse(everything[(page - 1) * per_page : page * per_page], headers=headers)

    async def _create(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        payload = await request.json()
        if not payload.get("body"):
            return JSONResponse({"message": "400 Bad request - body is missing"}, status_code=400)
        return JSONResponse(
            self.add(request.path_params["iid"], payload["body"], BOT), status_code=201
        )

    async def _update(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        payload = await request.json()
        for note in self.notes.get(request.path_params["iid"], []):
            if note["id"] == request.path_params["nid"]:
                note["body"] = payload["body"]
                note["updated_at"] = "2026-11-25T10:00:00.000Z"
                return JSONResponse(note)
        return _not_found("Note")

    async def _commit_mrs(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        sha = request.path_params["sha"]
        return JSONResponse([m for m in self.merged if sha in (m["sha"], m["merge_commit_sha"])])

    async def _artifact(self, request: Request) -> Response:
        if refused := self._refused(request):
            return refused
        ref, sep, path = request.path_params["rest"].partition("/raw/")
        data = self.artifacts.get((ref, request.query_params.get("job", ""), path)) if sep else None
        if data is None:
            return _not_found("")
        return Response(data, media_type="application/octet-stream")

    async def _member(self, request: Request) -> JSONResponse:
        if refused := self._refused(request):
            return refused
        level = self.members.get(request.path_params["uid"])
        if level is None:
            return _not_found("")
        uid = request.path_params["uid"]
        return JSONResponse(
            {"id": uid, "username": f"user{uid}", "access_level": level, "state": "active"}
        )


def _not_found(what: str) -> JSONResponse:
    return JSONResponse({"message": f"404 {what + ' ' if what else ''}Not Found"}, status_code=404)


@contextmanager
def serve(stand_in: GitLabStandIn) -> Iterator[GitLabStandIn]:
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
