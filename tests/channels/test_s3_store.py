"""The s3 package store against a real S3-compatible server on loopback (tests/s3_server.py)."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reconciler.catalog.model import PackageStore
from reconciler.channels.s3_store import S3Store
from reconciler.channels.store import StoreRefused, StoreUnusable, open_store
from reconciler.sandbox import xml as sandbox_xml
from tests.s3_server import REGION


def settings(s3, **changes) -> PackageStore:
    values = {
        "type": "s3",
        "bucket": "shop",
        "prefix": "packages/",
        "region": REGION,
        "endpoint_url": s3.endpoint_url,
        **changes,
    }
    return PackageStore(**values)


def test_a_package_is_uploaded_under_the_prefix_and_served_by_its_presigned_link(s3):
    store = open_store(settings(s3))
    url = store.publish("shop-cdiscount-001-full.zip", b"PK-zip")
    assert s3.keys("shop") == ["packages/shop-cdiscount-001-full.zip"]
    assert url.startswith(f"{s3.endpoint_url}/shop/packages/shop-cdiscount-001-full.zip?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=21600" in url  # 6h by default
    # the sandbox's own downloader, as it fetches a package from the URL it is given
    assert asyncio.run(sandbox_xml.download(url, 1000)) == b"PK-zip"


def test_a_link_fetched_after_its_expiry_is_refused_as_s3_refuses_it(s3):
    store = S3Store(settings(s3, link_expiry=0))
    url = store.publish("late.zip", b"PK")
    answer = httpx.get(url)
    assert answer.status_code == 403 and b"Request has expired" in answer.content
    with pytest.raises(sandbox_xml.PackageRefused, match="403"):
        asyncio.run(sandbox_xml.download(url, 1000))


def test_wrong_credentials_are_refused_when_the_store_opens(s3, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with s3.authenticating(), pytest.raises(StoreUnusable) as refused:
        open_store(settings(s3))
    message = str(refused.value)
    assert "credentials were refused (HTTP 403)" in message and "AWS_ACCESS_KEY_ID" in message
    assert refused.value.exit_code == 7
    assert "not-the-secret" not in message


def test_no_credentials_at_all_are_named(s3, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreUnusable, match="no credentials for the package store"):
        open_store(settings(s3))


def test_a_missing_bucket_is_named(s3):
    with pytest.raises(StoreUnusable, match="bucket 'nowhere' does not exist; nothing was sent"):
        open_store(settings(s3, bucket="nowhere"))


def test_an_unreachable_endpoint_is_named(s3):
    with pytest.raises(StoreUnusable, match="unreachable"):
        open_store(settings(s3, endpoint_url="http://127.0.0.1:9"))


def test_an_upload_cut_by_the_network_is_refused(s3):
    store = open_store(settings(s3))
    s3.gate.cut_uploads = True
    with pytest.raises(StoreRefused, match="unreachable|closed|reset"):
        store.publish("cut.zip", b"PK")
    assert s3.gate.puts  # the upload did start
    assert s3.keys("shop") == []


def test_the_probe_is_published_like_a_package_and_removed(s3):
    store = open_store(settings(s3))
    probe = store.probe()
    assert httpx.get(probe.url).content == probe.content
    assert s3.keys("shop") == [f"packages/{probe.name}"]
    store.remove(probe.name)
    assert s3.keys("shop") == []


def test_packages_lists_only_the_prefix_oldest_first(s3):
    s3.client().put_object(Bucket="shop", Key="other/keep.zip", Body=b"1")
    store = S3Store(settings(s3))
    for name in ("a.zip", "b.zip"):
        store.publish(name, b"PK")
    assert [p.name for p in store.packages()] == ["a.zip", "b.zip"]


def test_the_sandbox_follows_a_redirect_to_a_presigned_link(s3):
    """A seller's short link that redirects to the presigned one is fetched like any URL."""
    link = open_store(settings(s3)).publish("moved.zip", b"PK-moved")

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", link)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        short = f"http://127.0.0.1:{server.server_address[1]}/p/moved"
        assert asyncio.run(sandbox_xml.download(short, 1000)) == b"PK-moved"
    finally:
        server.shutdown()
        server.server_close()
