"""Sandbox speed: `python bench/sandbox.py [--offers 100000] [--package 40000]`.

Against an embedded sandbox over real HTTP, prints:
- GET /offers: pages of 1000 read from a store of N offers, following the Link header
  (pages/s, offers/s), beside two baselines measured in the same run: the same rows read straight
  from SQLite (no HTTP, no JSON), and a trivial API call (GET /sellers/subscriptions) per second;
- a Full XML package of P offers: from the POST of its URL to `Integrated` (offers/s), beside
  parsing its Offers.xml alone in-process (the floor of any integration);
- a JSON Upsert package of P offers: upload (100 per call), then Ready to `Integrated`.
"""

from __future__ import annotations

import argparse
import io
import re
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconciler.sandbox import wire  # noqa: E402
from reconciler.sandbox.config import SandboxConfig  # noqa: E402
from reconciler.sandbox.embedded import RunningSandbox, run_embedded  # noqa: E402
from reconciler.sandbox.xml import NS, parse_offers  # noqa: E402

TEMPLATE = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/cdiscount-xml/samples/alexandriagroup/package_template"
)


def gtin(n: int) -> str:
    body = f"200{n:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def client(market: RunningSandbox, channel: str) -> httpx.Client:
    token = httpx.post(
        market.auth_url,
        data={
            "grant_type": "client_credentials",
            "client_id": market.client_id,
            "client_secret": market.client_secret,
        },
    ).json()["access_token"]
    headers = {
        "Authorization": f"Bearer {token}",
        "SellerId": str(market.seller_id),
        "SalesChannelId": channel,
    }
    return httpx.Client(base_url=market.api_url, headers=headers, timeout=120)


def seed(market: RunningSandbox, count: int) -> float:
    admin = httpx.Client(base_url=market.base_url, timeout=300)
    start = time.perf_counter()
    for first in range(0, count, 10_000):
        offers = [
            {
                "sellerExternalReference": f"SKU-{i:06d}",
                "salesChannelId": "SELLZZ",
                "product": {"gtin": gtin(i)},
                "price": "19.99",
                "quantity": i % 7,
                "deliveryModes": [{"code": "TRK", "cost": "4.90", "additionalCost": "1.00"}],
            }
            for i in range(first, min(first + 10_000, count))
        ]
        admin.post("/sandbox/offers", content=wire.dumps(offers)).raise_for_status()
    return time.perf_counter() - start


def read_pages(api: httpx.Client) -> tuple[int, int, float]:
    start = time.perf_counter()
    response = api.get("/offers", params={"salesChannelId": "SELLZZ", "limit": 1000})
    pages = offers = 0
    while True:
        response.raise_for_status()
        pages += 1
        offers += len(wire.loads(response.content)["items"])
        match = re.match(r"<([^>]+)>", response.headers.get("link", ""))
        if not match:
            return pages, offers, time.perf_counter() - start
        response = api.get(match.group(1))


def sqlite_baseline(state_dir: Path) -> tuple[int, float]:
    start = time.perf_counter()
    db = sqlite3.connect(state_dir / "sandbox.sqlite3")
    rows, after = 0, 0
    while True:
        page = db.execute(
            "SELECT seq, item FROM offers WHERE channel = 'SELLZZ' AND seq > ? ORDER BY seq"
            " LIMIT 1000",
            (after,),
        ).fetchall()
        if not page:
            break
        rows += len(page)
        after = page[-1][0]
    db.close()
    return rows, time.perf_counter() - start


def trivial_calls(api: httpx.Client, count: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(count):
        api.get("/sellers/subscriptions").raise_for_status()
    return count / (time.perf_counter() - start)


def offers_xml(count: int) -> bytes:
    offers = "".join(
        f'<Offer SellerProductId="X-{i:06d}" ProductEan="{gtin(i)}" ProductCondition="6"'
        f' Price="{10 + i % 90}.99" EcoPart="0.10" DeaTax="0" Vat="20" Stock="{i % 9}"'
        f' PreparationTime="2" Comment=""><Offer.ShippingInformationList>'
        f'<ShippingInformationList Capacity="1"><ShippingInformation DeliveryMode="Tracked"'
        f' ShippingCharges="4.90" AdditionalShippingCharges="1.00"/></ShippingInformationList>'
        f"</Offer.ShippingInformationList></Offer>"
        for i in range(count)
    )
    return (
        f'<OfferPackage Name="bench" PurgeAndReplace="false" PackageType="Full" xmlns="{NS}">'
        f'<OfferPackage.Offers><OfferCollection Capacity="{count}">{offers}</OfferCollection>'
        "</OfferPackage.Offers></OfferPackage>"
    ).encode()


def package_zip(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (TEMPLATE / "[Content_Types].xml").read_bytes())
        archive.writestr("_rels/.rels", (TEMPLATE / "_rels" / ".rels").read_bytes())
        archive.writestr("Content/Offers.xml", xml)
    return buffer.getvalue()


def wait(api: httpx.Client, path: str) -> dict:
    while True:
        body = api.get(path).json()
        if body["state"] in ("Integrated", "Rejected"):
            return body
        time.sleep(0.05)


def xml_package(market: RunningSandbox, count: int) -> tuple[float, float, dict]:
    xml = offers_xml(count)
    start = time.perf_counter()
    parse_offers(xml)
    parse_only = time.perf_counter() - start
    admin = httpx.Client(base_url=market.base_url, timeout=300)
    admin.put("/sandbox/blobs/bench.zip", content=package_zip(xml)).raise_for_status()
    with client(market, "CDISFR") as api:
        start = time.perf_counter()
        answer = api.post("/offer-integration-packages", json=market.blob_url("bench.zip"))
        log = wait(api, f"/offer-integration-packages/{answer.json()['packageId']}?$limit=1")
        return time.perf_counter() - start, parse_only, log


def json_package(market: RunningSandbox, count: int) -> tuple[float, float, dict]:
    requests = [
        {
            "sellerExternalReference": f"J-{i:06d}",
            "product": {"gtin": gtin(i)},
            "condition": "New",
            "price": {"price": 19.99, "taxes": [{"code": "VAT", "value": 20}]},
            "deliveryModes": [{"code": "TRK", "cost": 4.9, "additionalCost": 1.0}],
            "preparationTime": 2,
            "quantity": 3,
        }
        for i in range(count)
    ]
    with client(market, "SELLZZ") as api:
        start = time.perf_counter()
        pid = (
            api.post("/offer-packages", json={"packageType": "Upsert"})
            .headers["Content-Location"]
            .rsplit("/", 1)[-1]
        )
        for first in range(0, count, 100):
            api.post(f"/offer-packages/{pid}/offer-requests", json=requests[first : first + 100])
        uploaded = time.perf_counter() - start
        start = time.perf_counter()
        api.patch(f"/offer-packages/{pid}", json={"state": "Ready"})
        final = wait(api, f"/offer-packages/{pid}")
        return uploaded, time.perf_counter() - start, final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--package", type=int, default=40_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        config = SandboxConfig(integration_delay=0)
        with run_embedded(state, config) as market:
            seconds = seed(market, args.offers)
            print(f"seeded {args.offers} live offers in {seconds:.1f} s")
            admin = httpx.Client(base_url=market.base_url, timeout=300)
            products = [{"gtin": gtin(i), "title": ""} for i in range(args.package)]
            admin.post("/sandbox/products", json=products).raise_for_status()
            with client(market, "SELLZZ") as api:
                pages, offers, seconds = read_pages(api)
                calls = trivial_calls(api)
            rows, base = sqlite_baseline(state)
            print(
                f"GET /offers, pages of 1000: {pages} pages, {offers} offers in {seconds:.2f} s"
                f" = {pages / seconds:.1f} pages/s, {offers / seconds:,.0f} offers/s"
            )
            print(
                f"  baseline: same {rows} rows straight from SQLite in {base:.2f} s"
                f" ({rows / base:,.0f} rows/s); trivial API call: {calls:.0f} calls/s"
            )
            took, parse_only, log = xml_package(market, args.package)
            print(
                f"XML Full package of {args.package}: URL posted -> {log['state']} in {took:.2f} s"
                f" = {args.package / took:,.0f} offers/s ({log['integratedCount']} integrated)"
            )
            print(
                f"  baseline: parsing its Offers.xml alone {parse_only:.2f} s"
                f" ({args.package / parse_only:,.0f} offers/s)"
            )
            uploaded, took, final = json_package(market, args.package)
            print(
                f"JSON Upsert package of {args.package}: upload {uploaded:.2f} s"
                f" ({args.package // 100} calls), Ready -> {final['state']} in {took:.2f} s"
                f" = {args.package / took:,.0f} offers/s ({final['integratedCount']} integrated)"
            )


if __name__ == "__main__":
    main()
