"""What the sandbox tests share: valid GTINs, offer requests, packages run to their end, zips."""

from __future__ import annotations

import io
import json
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

GTIN = "3760452700039"
GTIN2 = "4006381333931"
GTIN3 = "5901234123457"
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "cdiscount-xml" / "samples"
TEMPLATE = SAMPLES / "alexandriagroup" / "package_template"
NS = (
    "clr-namespace:Cdiscount.Service.OfferIntegration.Pivot;"
    "assembly=Cdiscount.Service.OfferIntegration"
)
DONE = ("Integrated", "Rejected")


def request(sku: str = "SKU-1", **changes: Any) -> dict[str, Any]:
    """A complete, valid Upsert offer request; `changes` replace top-level fields."""
    body: dict[str, Any] = {
        "sellerExternalReference": sku,
        "product": {"gtin": GTIN},
        "condition": "New",
        "price": {"price": 49.99, "taxes": [{"code": "VAT", "value": 20}]},
        "deliveryModes": [{"code": "TRK", "cost": 4.9, "additionalCost": 1.0}],
        "preparationTime": 3,
        "quantity": 12,
    }
    body.update(changes)
    return body


def decoded(response: httpx.Response) -> Any:
    return json.loads(response.content, parse_float=Decimal)


def wait_state(api: httpx.Client, path: str, key: str = "state", timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = decoded(api.get(path))
        if body.get(key) in DONE or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def new_package(api: httpx.Client, package_type: str = "Upsert") -> str:
    response = api.post("/offer-packages", json={"packageType": package_type})
    assert response.status_code == 201, response.text
    return response.headers["Content-Location"].rsplit("/", 1)[-1]


def run_package(
    api: httpx.Client, requests: list[dict[str, Any]], package_type: str = "Upsert"
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Create, fill, mark Ready and follow a JSON package: (final package, results by sku)."""
    pid = new_package(api, package_type)
    for start in range(0, len(requests), 100):
        response = api.post(
            f"/offer-packages/{pid}/offer-requests", json=requests[start : start + 100]
        )
        assert response.status_code == 200, response.text
    assert api.patch(f"/offer-packages/{pid}", json={"state": "Ready"}).status_code == 200
    final = wait_state(api, f"/offer-packages/{pid}")
    items = decoded(
        api.get(f"/offer-packages/{pid}/offer-requests-results", params={"limit": 1000})
    )
    return final, {i["sellerExternalReference"]: i for i in items["items"]}


def codes(result: dict[str, Any]) -> list[int]:
    return [r["resultCode"] for r in result["results"]]


def live_offers(api: httpx.Client, channel: str = "SELLZZ", **params: Any) -> dict[str, Any]:
    body = decoded(api.get("/offers", params={"salesChannelId": channel, "limit": 1000, **params}))
    return {i["sellerExternalReference"]: i for i in body["items"]}


def package_zip(offers_xml: str | bytes, parts: dict[str, bytes] | None = None) -> bytes:
    """A zip with the real template parts and this Offers.xml (or other `parts`)."""
    content = offers_xml.encode() if isinstance(offers_xml, str) else offers_xml
    files = {
        "[Content_Types].xml": (TEMPLATE / "[Content_Types].xml").read_bytes(),
        "_rels/.rels": (TEMPLATE / "_rels" / ".rels").read_bytes(),
        "Content/Offers.xml": content,
    }
    if parts is not None:
        files = parts
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def offers_xml(
    offers: str, package_type: str = "Full", purge: str = "false", extra: str = ""
) -> str:
    return (
        f'<OfferPackage Name="test" PurgeAndReplace="{purge}" PackageType="{package_type}"'
        f' xmlns="{NS}" xmlns:x="http://schemas.microsoft.com/winfx/2006/xaml">{extra}'
        f"<OfferPackage.Offers><OfferCollection>{offers}</OfferCollection></OfferPackage.Offers>"
        "</OfferPackage>"
    )


def xml_offer(sku: str = "X-1", gtin: str = GTIN, children: str = "", **attrs: str) -> str:
    values = {
        "SellerProductId": sku,
        "ProductEan": gtin,
        "ProductCondition": "6",
        "Price": "19.99",
        "EcoPart": "0.10",
        "DeaTax": "0",
        "Vat": "20",
        "Stock": "5",
        "PreparationTime": "2",
        "Comment": "",
        **attrs,
    }
    shown = " ".join(f'{k}="{v}"' for k, v in values.items() if v is not None)
    shipping = children or (
        "<Offer.ShippingInformationList><ShippingInformationList>"
        '<ShippingInformation DeliveryMode="Tracked" ShippingCharges="4.90"'
        ' AdditionalShippingCharges="1.00"/>'
        "</ShippingInformationList></Offer.ShippingInformationList>"
    )
    return f"<Offer {shown}>{shipping}</Offer>"


def discount(**attrs: str) -> str:
    values = {
        "Type": "3",
        "DiscountUnit": "1",
        "DiscountValue": "30",
        "SalesReferencePrice": "39.99",
        "StartDate": "2027-01-07T08:00:00",
        "EndDate": "2027-02-03T23:59:00",
        **attrs,
    }
    shown = " ".join(f'{k}="{v}"' for k, v in values.items())
    return (
        "<Offer.PriceAndDiscountList><DiscountComponentList>"
        f"<DiscountComponent {shown}/></DiscountComponentList></Offer.PriceAndDiscountList>"
        "<Offer.ShippingInformationList><ShippingInformationList>"
        '<ShippingInformation DeliveryMode="Tracked" ShippingCharges="4.90"/>'
        "</ShippingInformationList></Offer.ShippingInformationList>"
    )


def submit_zip(sandbox: Any, api: httpx.Client, data: bytes, name: str = "p.zip") -> dict:
    """Store the zip in the sandbox's blob store, submit its URL, follow the log to its end."""
    url = sandbox.put_blob(name, data)
    response = api.post("/offer-integration-packages", json=url)
    assert response.status_code == 201, response.text
    pid = response.json()["packageId"]
    return wait_state(api, f"/offer-integration-packages/{pid}?$limit=1000")


def log_lines(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["sellerProductId"]: line for line in log["offers"]}
