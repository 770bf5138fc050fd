from __future__ import annotations

import httpx
import pytest

from reconciler.catalog.model import PackageStore
from reconciler.channels.store import HttpPutStore, StoreRefused, open_store
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


def test_a_store_needs_a_name_placeholder_and_a_known_type():
    with pytest.raises(ReconcilerError, match="name"):
        open_store(PackageStore("http-put", "https://storage.example.com/packages"))
    with pytest.raises(ReconcilerError, match="not one of: http-put, s3"):
        open_store(PackageStore("ftp", "ftp://bucket/{name}"))
    with pytest.raises(ReconcilerError, match="package_store"):
        open_store(None)
