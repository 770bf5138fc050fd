"""A loopback stand-in for the marketplace that serves captured answers (the files `catalog
doctor --capture` writes) over real HTTP, so the client reads them as it would read production.

An answer is chosen by method and path (and by query when the capture's URL has one); answers
to the same call are served in capture order, the last one again once they run out. `Link`
URLs pointing at the captured host are rewritten to this server.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
SKIPPED_HEADERS = {"content-length", "transfer-encoding", "connection", "date", "server"}


@dataclass
class Replay:
    base_url: str
    served: list[str]

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/seller/v2"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/auth/realms/maas/protocol/openid-connect/token"


def _load(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


@contextmanager
def replay(folder: Path) -> Iterator[Replay]:
    answers = _load(folder)
    used: dict[int, int] = {}
    served: list[str] = []
    lock = threading.Lock()

    def pick(method: str, path: str, query: dict[str, str]) -> dict | None:
        candidates = []
        for index, answer in enumerate(answers):
            url = urlsplit(answer["request"]["url"])
            if answer["request"]["method"] != method or url.path != path:
                continue
            wanted = dict(parse_qsl(url.query))
            if all(query.get(k) == v for k, v in wanted.items()):
                candidates.append(index)
        fresh = [i for i in candidates if i not in used]
        chosen = fresh[0] if fresh else (candidates[-1] if candidates else None)
        if chosen is not None:
            used[chosen] = used.get(chosen, 0) + 1
        return None if chosen is None else answers[chosen]

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            url = urlsplit(self.path)
            with lock:
                answer = pick(self.command, url.path, dict(parse_qsl(url.query)))
                served.append(f"{self.command} {self.path}")
            if answer is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = answer["body"].encode("utf-8")
            self.send_response(answer["status"])
            origin = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
            for name, value in answer["headers"].items():
                if name.lower() in SKIPPED_HEADERS:
                    continue
                if name.lower() == "link":
                    value = re.sub(r"<https?://[^/>]+", "<" + origin, value)
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Replay(f"http://{host}:{port}", served)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
