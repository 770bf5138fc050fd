"""Every raw answer of a doctor run, kept in memory and, with --capture DIR, written redacted.

One JSON file per answer (`001.json`, ...): the request's method and URL, the answer's status,
headers and body as text. Tokens, the client secret and the seller's id are replaced by
placeholders wherever they appear (URL, headers, body), so a capture can go into a bug report.
The same files are what tests replay (tests/fixtures/captures/).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "sellerid", "x-api-key"})
_TOKEN_FIELDS = re.compile(r'"(access_token|refresh_token|id_token|client_secret)"\s*:\s*"[^"]*"')


@dataclass
class Answer:
    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Recorder:
    """Keeps every answer the client reads (MarketplaceClient.on_response); `secrets` and the
    seller's id are replaced when written out."""

    seller_id: int
    secrets: set[str] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, response: httpx.Response) -> None:
        body = response.text  # already read by the client, within its deadline and cap
        for token in re.findall(r'"access_token"\s*:\s*"([^"]+)"', body):
            self.secrets.add(token)
        answer = Answer(
            response.request.method,
            str(response.request.url),
            response.status_code,
            dict(response.headers),
            body,
        )
        with self._lock:
            self.answers.append(answer)

    def redact(self, text: str) -> str:
        text = _TOKEN_FIELDS.sub(lambda m: f'"{m.group(1)}": "<redacted>"', text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "<redacted>")
        return re.sub(rf"(?<![0-9]){self.seller_id}(?![0-9])", "<seller-id>", text)

    def redacted(self, answer: Answer) -> dict[str, object]:
        headers = {
            k: "<redacted>" if k.lower() in SECRET_HEADERS else self.redact(v)
            for k, v in answer.headers.items()
        }
        return {
            "request": {"method": answer.method, "url": self.redact(answer.url)},
            "status": answer.status,
            "headers": headers,
            "body": self.redact(answer.body),
        }

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for number, answer in enumerate(self.answers, start=1):
            path = folder / f"{number:03d}.json"
            text = json.dumps(self.redacted(answer), indent=2, ensure_ascii=False)
            path.write_text(text + "\n", encoding="utf-8")
            written.append(path)
        return written
