"""Where XML packages are published for the marketplace to download (only their URL is sent).

A store is anything with `publish(name, data) -> url`. `http-put` PUTs the zip to the catalog's
`package_store.url` (with `{name}` replaced) and the marketplace GETs that same URL; the sandbox
blob store is one. Another kind (an S3-compatible bucket with presigned URLs, say) is one more
class with the same method, chosen in `open_store` by `package_store.type`.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

import httpx

from reconciler.catalog.model import PackageStore
from reconciler.errors import ReconcilerError


class StoreRefused(ReconcilerError):
    """The package store did not take a package: its offers were not sent."""


class OfferPackageStore(Protocol):
    def publish(self, name: str, data: bytes) -> str:
        """Store `data` under `name`; return the URL the marketplace will download it from."""
        ...


class HttpPutStore:
    """PUT to a URL template; the same URL, unauthenticated, serves the package back."""

    def __init__(self, url_template: str, timeout: float = 60.0):
        if "{name}" not in url_template:
            raise ReconcilerError(f"package_store.url must contain {{name}}: {url_template}")
        self.url_template = url_template
        self.timeout = timeout

    def url_for(self, name: str) -> str:
        return self.url_template.replace("{name}", quote(name, safe=""))

    def publish(self, name: str, data: bytes) -> str:
        url = self.url_for(name)
        try:
            answer = httpx.put(
                url,
                content=data,
                headers={"Content-Type": "application/zip"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as err:
            raise StoreRefused(f"package store unreachable at {public_url(url)}: {err}") from None
        if answer.status_code >= 300:
            raise StoreRefused(
                f"package store refused {name} at {public_url(url)}: HTTP {answer.status_code}"
            )
        return url


def public_url(url: str) -> str:
    """The URL without its query string: presigned URLs carry credentials there."""
    return url.split("?", 1)[0]


STORE_TYPES = {"http-put": HttpPutStore}


def open_store(settings: PackageStore | None, sandbox_url: str | None = None) -> OfferPackageStore:
    """The catalog's store; an embedded-sandbox catalog without one uses the sandbox blob store."""
    if settings is None:
        if sandbox_url is None:
            raise ReconcilerError(
                "xml channels need a package_store in catalog.yaml: the marketplace downloads "
                "each package from there"
            )
        return HttpPutStore(sandbox_url.rstrip("/") + "/sandbox/blobs/{name}")
    kind = STORE_TYPES.get(settings.type)
    if kind is None:
        known = ", ".join(sorted(STORE_TYPES))
        raise ReconcilerError(f"package_store.type {settings.type!r} is not one of: {known}")
    return kind(settings.url)
