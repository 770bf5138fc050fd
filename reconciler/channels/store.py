"""Where XML packages are published for the marketplace to download (only their URL is sent).

A store has three methods: `publish(name, data) -> url` (the URL the marketplace downloads
from), `probe()` (publish a small object the way a package would be, for `catalog doctor` to
fetch back) and `remove(name)`. `link_expiry` says how long a published URL lasts (None: for
ever), so a package the marketplace fetched too late is reported as such.

- `http-put` (here): PUT to the catalog's `package_store.url`, with optional headers read from
  the environment; the marketplace GETs `get_url` (default: the same URL). The embedded
  sandbox's blob store is one.
- `s3` (reconciler.channels.s3_store): an S3-compatible bucket, presigned GET links.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

import httpx

from reconciler.catalog.model import PackageStore, StoreHeader
from reconciler.errors import ExitCode, ReconcilerError

PROBE_PREFIX = "catalog-probe-"


class StoreRefused(ReconcilerError):
    """The package store did not take a package: its offers were not sent."""


class StoreUnusable(ReconcilerError):
    """The store cannot be used at all (credentials refused, bucket missing): nothing is sent."""

    exit_code = ExitCode.UNREACHABLE


@dataclass(frozen=True, slots=True)
class Probe:
    """A small object published like a package: `url` is what the marketplace would be given."""

    name: str
    url: str = field(repr=False)  # a presigned link holds a signature
    content: bytes = b""


class OfferPackageStore(Protocol):
    link_expiry: int | None  # seconds a published URL lasts; None: it does not expire

    def publish(self, name: str, data: bytes) -> str:
        """Store `data` under `name`; return the URL the marketplace will download it from."""
        ...

    def probe(self) -> Probe:
        """Publish a probe object; `remove(probe.name)` takes it away again."""
        ...

    def remove(self, name: str) -> None: ...


def probe_object() -> tuple[str, bytes]:
    token = secrets.token_hex(6)
    return f"{PROBE_PREFIX}{token}.txt", f"catalog doctor probe {token}\n".encode()


class HttpPutStore:
    """PUT to a URL template; `get_url` (default: the same URL) serves the package back."""

    link_expiry = None

    def __init__(
        self,
        url_template: str,
        get_url: str = "",
        headers: tuple[StoreHeader, ...] = (),
        timeout: float = 60.0,
    ):
        for template in (url_template, get_url):
            if template and "{name}" not in template:
                raise ReconcilerError(f"package_store urls must contain {{name}}: {template}")
        self.url_template = url_template
        self.get_template = get_url or url_template
        self.headers = headers
        self.timeout = timeout
        self._headers()  # a variable missing is found before anything is sent

    def url_for(self, name: str, template: str | None = None) -> str:
        return (template or self.url_template).replace("{name}", quote(name, safe=""))

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/zip"}
        for header in self.headers:
            value = os.environ.get(header.env, "")
            if not value.strip():
                raise StoreUnusable(
                    f"package_store.headers.{header.name} reads the environment variable "
                    f"{header.env}, which is not set: nothing was sent"
                )
            headers[header.name] = value.strip()
        return headers

    def _send(self, method: str, name: str, data: bytes = b"") -> httpx.Response:
        url = self.url_for(name)
        try:
            answer = httpx.request(
                method, url, content=data, headers=self._headers(), timeout=self.timeout
            )
        except httpx.HTTPError as err:
            raise StoreRefused(f"package store unreachable at {public_url(url)}: {err}") from None
        except ValueError:  # a header value httpx cannot send: never quoted, it may be a token
            raise StoreRefused(
                "package_store.headers: a value holds characters no header has"
            ) from None
        if answer.status_code in (401, 403):
            raise StoreRefused(
                f"package store refused our credentials for {name} at {public_url(url)}: HTTP "
                f"{answer.status_code} (check package_store.headers and their variables)"
            )
        if answer.status_code >= 300:
            raise StoreRefused(
                f"package store refused {name} at {public_url(url)}: HTTP {answer.status_code}"
            )
        return answer

    def publish(self, name: str, data: bytes) -> str:
        self._send("PUT", name, data)
        return self.url_for(name, self.get_template)

    def probe(self) -> Probe:
        name, content = probe_object()
        return Probe(name, self.publish(name, content), content)

    def remove(self, name: str) -> None:
        self._send("DELETE", name)


def public_url(url: str) -> str:
    """The URL without its query string: presigned URLs carry credentials there."""
    return url.split("?", 1)[0]


_URL_QUERY = re.compile(r"(https?://[^\s?#\"'<>]+)\?[^\s\"'<>]*")


def public_text(text: str) -> str:
    """A message (the marketplace's, say) with every URL's query string taken out."""
    return _URL_QUERY.sub(r"\1", text)


def open_store(settings: PackageStore | None, sandbox_url: str | None = None) -> OfferPackageStore:
    """The catalog's store; an embedded-sandbox catalog without one uses the sandbox blob store."""
    if settings is None:
        if sandbox_url is None:
            raise ReconcilerError(
                "xml channels need a package_store in catalog.yaml: the marketplace downloads "
                "each package from there"
            )
        return HttpPutStore(sandbox_url.rstrip("/") + "/sandbox/blobs/{name}")
    if settings.type == "s3":
        from reconciler.channels.s3_store import S3Store  # boto3 loads only for this store

        return S3Store(settings)
    if settings.type == "http-put":
        return HttpPutStore(settings.url, settings.get_url, settings.headers)
    raise ReconcilerError(f"package_store.type {settings.type!r} is not one of: http-put, s3")
