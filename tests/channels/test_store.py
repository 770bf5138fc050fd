from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reconciler.catalog.model import PackageStore, StoreHeader
from reconciler.channels.store import (
    HttpPutStore,
    StoreRefused,
    StoreUnusable,
    open_store,
    public_text,
)
from reconciler.errors import ReconcilerError


def test_http_put_store_publishes_to_the_blob_store_and_serves_it_back(sandbox):
    store = open_store(PackageStore("http-put", sandbox.base_url + "/sandbox/blobs/{name}"))
    url = store.publish("pkg-1.zip", b"PK-data")
    assert httpx.get(url).content == b"PK-data"


def test_an_embedded_sandbox_catalog_without_a_store_uses_the_sandbox_blob_store(sandbox):
    store = open_store(None, sandbox_url=sandbox.base_url)
    assert store.publish("x.zip", b"1") == sandbox.blob_url("x.zip")


def test_refusals_are_named_without_the_query_string(sandbox):
    store = HttpPutStore(sandbox.base_url + "/sandbox/nowhere/{name}?X-Amz-Signature=s3cr3t")
    with pytest.raises(StoreRefused) as refused:
        store.publish("p.zip", b"1")
    assert "refused p.zip" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)
    with pytest.raises(StoreRefused, match="unreachable"):
        HttpPutStore("http://127.0.0.1:9/{name}").publish("p.zip", b"1")


def test_marketplace_messages_lose_the_query_of_every_url():
    said = "GET https://s3.example.com/b/p.zip?X-Amz-Signature=abc&X-Amz-Credential=k answered 403"
    assert public_text(said) == "GET https://s3.example.com/b/p.zip answered 403"
    assert public_text('"http://h/p?sig=1", http://h/q') == '"http://h/p", http://h/q'


def test_a_store_needs_a_name_placeholder_and_a_known_type():
    with pytest.raises(ReconcilerError, match="name"):
        open_store(PackageStore("http-put", "https://storage.example.com/packages"))
    with pytest.raises(ReconcilerError, match="not one of: http-put, s3"):
        open_store(PackageStore("ftp", "ftp://bucket/{name}"))
    with pytest.raises(ReconcilerError, match="package_store"):
        open_store(None)


class KeyedStore(BaseHTTPRequestHandler):
    """A store of one's own: writing needs the bearer token, reading is public elsewhere."""

    blobs: dict[str, bytes] = {}
    token = "SENTINEL-store-token-31c"

    def log_message(self, *args: object) -> None:
        pass

    def do_PUT(self) -> None:
        data = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.answer(403)
        elif self.path.startswith("/upload/"):
            self.blobs[self.path.removeprefix("/upload/")] = data
            self.answer(201)
        else:
            self.answer(404)

    def do_DELETE(self) -> None:
        found = self.blobs.pop(self.path.removeprefix("/upload/"), None)
        self.answer(204 if found is not None else 404)

    def do_GET(self) -> None:
        data = self.blobs.get(self.path.removeprefix("/public/"))
        self.answer(200 if data is not None else 404, data or b"")

    def answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def keyed_store():
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeyedStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    KeyedStore.blobs.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def keyed(base: str) -> PackageStore:
    return PackageStore(
        "http-put",
        base + "/upload/{name}",
        get_url=base + "/public/{name}",
        headers=(StoreHeader("Authorization", "STORE_TOKEN"),),
    )


def test_http_put_sends_headers_from_the_environment_and_gives_the_public_url(
    keyed_store, monkeypatch
):
    monkeypatch.setenv("STORE_TOKEN", f"Bearer {KeyedStore.token}")
    store = open_store(keyed(keyed_store))
    url = store.publish("p 1.zip", b"PK")
    assert url == keyed_store + "/public/p%201.zip"
    assert httpx.get(url).content == b"PK"
    probe = store.probe()
    assert httpx.get(probe.url).content == probe.content
    store.remove(probe.name)
    assert httpx.get(probe.url).status_code == 404


def test_http_put_with_its_token_missing_or_refused(keyed_store, monkeypatch):
    monkeypatch.delenv("STORE_TOKEN", raising=False)
    with pytest.raises(StoreUnusable, match="STORE_TOKEN, which is not set") as missing:
        open_store(keyed(keyed_store))
    assert missing.value.exit_code == 7
    monkeypatch.setenv("STORE_TOKEN", "Bearer SENTINEL-wrong-token")
    with pytest.raises(StoreRefused, match="refused our credentials") as refused:
        open_store(keyed(keyed_store)).publish("p.zip", b"PK")
    assert "SENTINEL" not in str(refused.value)
