"""catalog.yaml's package_store: each store type with its own settings, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.catalog import check_catalog
from reconciler.catalog.model import PackageStore, StoreHeader
from reconciler.catalog.resolve import package_store, package_store_document

SETTINGS = """\
seller_id: 98979
channels:
  cdiscount: {id: CDISFR, submission: xml}
package_store:
"""


def check(tmp_path: Path, store: str):
    (tmp_path / "catalog.yaml").write_text(SETTINGS + store, encoding="utf-8")
    catalog, problems = check_catalog(tmp_path)
    errors = [p for p in problems if p.severity == "error"]
    return catalog, [str(p).removeprefix(str(tmp_path) + "/") for p in errors]


def test_an_s3_store_reads_its_settings_and_a_link_expiry(tmp_path: Path) -> None:
    catalog, _ = check(
        tmp_path,
        "  type: s3\n  bucket: shop-packages\n  prefix: catalog/\n  region: gra\n"
        "  endpoint_url: https://s3.gra.io.cloud.ovh.net\n  link_expiry: 1d\n",
    )
    assert catalog is not None
    assert catalog.package_store == PackageStore(
        "s3",
        bucket="shop-packages",
        prefix="catalog/",
        region="gra",
        endpoint_url="https://s3.gra.io.cloud.ovh.net",
        link_expiry=86400,
    )


def test_links_last_six_hours_unless_told(tmp_path: Path) -> None:
    catalog, _ = check(tmp_path, "  {type: s3, bucket: shop-packages}\n")
    assert catalog.package_store.link_expiry == 6 * 3600


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        (
            "  {type: s3, url: 'https://x/{name}'}\n",
            [
                "catalog.yaml:5:3: package_store: the s3 store needs 'bucket'",
                "catalog.yaml:5:19: package_store.url: url is not a setting of the s3 store",
            ],
        ),
        (
            "  {type: s3, bucket: shop, link_expiry: 8d}\n",
            [
                "catalog.yaml:5:41: package_store.link_expiry: link_expiry 8d: a presigned link "
                "lasts at most 7d"
            ],
        ),
        (
            "  {type: s3, bucket: shop, link_expiry: 6 hours}\n",
            [
                "catalog.yaml:5:41: package_store.link_expiry: must be a duration such as 90s, "
                '30m, 6h or 1d (got "6 hours")'
            ],
        ),
        (
            "  {type: http-put, bucket: shop}\n",
            [
                "catalog.yaml:5:3: package_store: the http-put store needs 'url'",
                "catalog.yaml:5:28: package_store.bucket: bucket is not a setting of the "
                "http-put store",
            ],
        ),
        (
            "  type: http-put\n  url: https://x/{name}\n  headers: {Authorization: Bearer x}\n",
            [
                "catalog.yaml:7:28: package_store.headers.Authorization: has the wrong form "
                '(got "Bearer x")'
            ],
        ),
    ],
)
def test_store_settings_that_do_not_fit_are_located(tmp_path: Path, store, expected) -> None:
    catalog, problems = check(tmp_path, store)
    assert catalog is None
    assert problems == expected


@pytest.mark.parametrize(
    "store",
    [
        PackageStore("s3", bucket="b", prefix="p/", region="gra", link_expiry=90),
        PackageStore("s3", bucket="b", endpoint_url="https://s3.fr-par.scw.cloud"),
        PackageStore(
            "http-put",
            "https://w/{name}",
            get_url="https://r/{name}",
            headers=(StoreHeader("Authorization", "TOKEN"), StoreHeader("X-Api-Key", "STORE_KEY")),
        ),
    ],
)
def test_a_store_written_back_reads_the_same(store: PackageStore) -> None:
    assert package_store(package_store_document(store)) == store
