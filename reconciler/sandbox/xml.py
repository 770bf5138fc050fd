"""Reading a Cdiscount offer package: download the zip, check it, parse Content/Offers.xml safely.

The zip comes from a URL the seller gives, so nothing in it is trusted: its download and its
unpacked size are capped before anything is read (no zip bomb), and the XML is parsed without
DTD, entities or network access (no XXE, no billion laughs).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import httpx
from lxml import etree

NS = (
    "clr-namespace:Cdiscount.Service.OfferIntegration.Pivot;"
    "assembly=Cdiscount.Service.OfferIntegration"
)
MAX_OFFERS = 40_000
OFFERS_XML = "Content/Offers.xml"
LAYOUT = ("[Content_Types].xml", "_rels/.rels", OFFERS_XML)
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
PACKAGE_TYPES = ("Full", "StockAndPrice")


class PackageRefused(Exception):
    """The package as a whole cannot be integrated; `code` names why (see README)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"resultCode": self.code, "message": self.message}


@dataclass
class OfferPackage:
    name: str
    package_type: str
    purge: bool
    pools: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)  # {"attrs", "shipping", "discounts"}


async def download(url: str, max_bytes: int, timeout: float = 30.0) -> bytes:
    """The zip at `url`, at most `max_bytes`; read in chunks so a huge file is cut early."""
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise PackageRefused("DownloadFailed", f"GET {url} answered {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise PackageRefused("ZipTooLarge", f"the zip is over {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as err:
        raise PackageRefused("DownloadFailed", f"could not download {url}: {err}") from None


def read_package(data: bytes, max_unzipped: int) -> OfferPackage:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageRefused("InvalidZip", "the file is not a zip archive") from None
    with archive:
        names = set(archive.namelist())
        missing = [n for n in LAYOUT if n not in names]
        if missing:
            raise PackageRefused("InvalidLayout", f"missing from the zip: {', '.join(missing)}")
        if sum(info.file_size for info in archive.infolist()) > max_unzipped:
            raise PackageRefused("ZipTooLarge", f"the zip unpacks to over {max_unzipped} bytes")
        with archive.open(OFFERS_XML) as stream:
            xml = stream.read(max_unzipped + 1)  # the declared size may lie
        if len(xml) > max_unzipped:
            raise PackageRefused("ZipTooLarge", f"Offers.xml is over {max_unzipped} bytes")
    return parse_offers(xml)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def parse_offers(xml: bytes) -> OfferPackage:
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as err:
        raise PackageRefused("InvalidXml", f"Offers.xml is not well-formed: {err}") from None
    if root.getroottree().docinfo.doctype:
        raise PackageRefused("InvalidXml", "Offers.xml may not carry a DTD")
    if root.tag != f"{{{NS}}}OfferPackage":
        raise PackageRefused(
            "InvalidXml", f"the root must be OfferPackage in namespace {NS}, got {root.tag}"
        )
    package_type = root.get("PackageType", "Full")
    if package_type not in PACKAGE_TYPES:
        raise PackageRefused(
            "InvalidPackage", f"PackageType {package_type!r}: Full or StockAndPrice"
        )
    purge = _boolean(root.get("PurgeAndReplace", "false"), "PurgeAndReplace")
    offers = [_offer(o) for o in root.iter(f"{{{NS}}}Offer")]
    if len(offers) > MAX_OFFERS:
        raise PackageRefused("TooManyOffers", f"{len(offers)} offers: at most {MAX_OFFERS}")
    pools = [dict(p.attrib) for p in root.iter(f"{{{NS}}}PublicationPool")]
    return OfferPackage(root.get("Name", ""), package_type, purge, pools, offers)


def _boolean(text: str, name: str) -> bool:
    try:
        return BOOLEANS[text.strip().lower()]
    except KeyError:
        raise PackageRefused("InvalidPackage", f"{name}={text!r}: true or false") from None


def _offer(element: Any) -> dict[str, Any]:
    return {
        "attrs": dict(element.attrib),
        "shipping": [dict(s.attrib) for s in element.iter(f"{{{NS}}}ShippingInformation")],
        "discounts": [dict(d.attrib) for d in element.iter(f"{{{NS}}}DiscountComponent")],
    }
