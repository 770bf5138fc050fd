"""Cdiscount offer packages: plan changes -> zips of Offers.xml, rendered from templates/.

Pure: no HTTP, no files. The zip is built in memory and Offers.xml is streamed from the Jinja
template into it, so a 40,000-offer package never exists twice as one big string.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cache

import jinja2
from markupsafe import Markup, escape

from reconciler.catalog.model import STOCK_AND_PRICE_FIELDS, Offer, SalesChannel
from reconciler.catalog.normal import XML_CONDITION_CODES, XML_DELIVERY_NAMES
from reconciler.clock import PARIS
from reconciler.plan.model import Action, Change
from reconciler.resources import PACKAGE

MAX_OFFERS_PER_PACKAGE = 40_000
FULL = "Full"
STOCK_AND_PRICE = "StockAndPrice"
OFFERS_PATH = "Content/Offers.xml"

# Characters XML 1.0 forbids outright; a seller's comment pasted from elsewhere may hold them.
_FORBIDDEN = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}


@dataclass(frozen=True, slots=True)
class LightOffer:
    """An offer in a StockAndPrice package: the reference plus the price and/or stock to set."""

    sku: str
    gtin: str
    price: Decimal | None = None
    stock: int | None = None


@dataclass(frozen=True, slots=True)
class XmlPackage:
    """One offer package to send: its type and the plan changes it carries, in order."""

    name: str
    package_type: str  # Full | StockAndPrice
    changes: tuple[Change, ...]

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(c.sku for c in self.changes)

    @property
    def file_name(self) -> str:
        return f"{self.name}.zip"


def target_offer(change: Change) -> Offer:
    """The offer as it must be once the change is applied; a withdrawal is the live offer at 0."""
    if change.action is Action.WITHDRAW or change.after is None:
        if change.before is None:
            raise ValueError(f"{change.channel}/{change.sku}: a withdrawal needs the live offer")
        base = change.after or change.before
        return replace(base, stock=0)
    return change.after


def is_light(change: Change) -> bool:
    """Can a StockAndPrice package carry it? Only price/stock updates and withdrawals."""
    if change.action is Action.WITHDRAW:
        return True
    return (
        change.action is Action.UPDATE
        and bool(change.fields)
        and change.changed_fields <= STOCK_AND_PRICE_FIELDS
    )


def light_offer(change: Change) -> LightOffer:
    offer = target_offer(change)
    if change.action is Action.WITHDRAW:
        return LightOffer(offer.sku, offer.gtin, stock=0)
    fields = change.changed_fields
    return LightOffer(
        offer.sku,
        offer.gtin,
        price=offer.price if "price" in fields else None,
        stock=offer.stock if "stock" in fields else None,
    )


def split_packages(
    changes: Sequence[Change],
    prefix: str,
    max_offers: int = MAX_OFFERS_PER_PACKAGE,
) -> list[XmlPackage]:
    """Group one channel's changes into packages: light ones together, the rest as Full."""
    light = [c for c in changes if is_light(c)]
    full = [c for c in changes if not is_light(c)]
    packages: list[XmlPackage] = []
    for package_type, group in ((FULL, full), (STOCK_AND_PRICE, light)):
        for start in range(0, len(group), max_offers):
            chunk = tuple(group[start : start + max_offers])
            name = f"{prefix}-{len(packages) + 1:03d}-{package_type.lower()}"
            packages.append(XmlPackage(name, package_type, chunk))
    return packages


def _attr(value: object) -> Markup:
    """Escape for an attribute value, keeping line breaks (a parser turns raw ones into spaces)."""
    text = str(value).translate(_FORBIDDEN)
    escaped = str(escape(text))
    return Markup(escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _paris(moment: datetime) -> str:
    """Cdiscount reads dates without an offset as Paris local time."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M:%S")


def _xmlbool(value: bool) -> str:
    return "true" if value else "false"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(attr=_attr, paris=_paris, xmlbool=_xmlbool)
    env.globals.update(condition_codes=XML_CONDITION_CODES, delivery_names=XML_DELIVERY_NAMES)
    return env


def render_offers_xml(
    package: XmlPackage,
    channel: SalesChannel,
    purge_and_replace: bool = False,
) -> Iterator[str]:
    """Offers.xml of a package, as a stream of text chunks."""
    if package.package_type == FULL:
        offers: Iterable[object] = (target_offer(c) for c in package.changes)
    else:
        offers = (light_offer(c) for c in package.changes)
    template = environment().get_template("Offers.xml.j2")
    return template.generate(
        name=package.name,
        package_type=package.package_type,
        purge_and_replace=purge_and_replace,
        publication_pools=channel.publication_pools,
        count=len(package.changes),
        offers=offers,
    )


def build_zip(
    package: XmlPackage,
    channel: SalesChannel,
    purge_and_replace: bool = False,
) -> bytes:
    """The package as the marketplace downloads it: Offers.xml, [Content_Types].xml, _rels/.rels."""
    env = environment()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", env.get_template("[Content_Types].xml.j2").render())
        archive.writestr(
            "_rels/.rels", env.get_template("_rels/.rels.j2").render(offers_path=OFFERS_PATH)
        )
        with archive.open(OFFERS_PATH, "w") as stream:
            _write_chunks(stream, render_offers_xml(package, channel, purge_and_replace))
    return buffer.getvalue()


def _write_chunks(stream: io.BufferedIOBase, chunks: Iterator[str], batch: int = 512) -> None:
    """Write the template's many small chunks in batches: one deflate call per chunk is slow."""
    pending: list[str] = []
    for chunk in chunks:
        pending.append(chunk)
        if len(pending) >= batch:
            stream.write("".join(pending).encode("utf-8"))
            pending.clear()
    if pending:
        stream.write("".join(pending).encode("utf-8"))


def plan_packages(
    changes: Sequence[Change],
    channels: dict[str, SalesChannel],
    prefix: str,
    max_offers: int = MAX_OFFERS_PER_PACKAGE,
) -> list[tuple[SalesChannel, XmlPackage]]:
    """The XML packages a plan's changes make, channel by channel (json channels skipped)."""
    found: list[tuple[SalesChannel, XmlPackage]] = []
    for name in sorted({c.channel for c in changes}):
        channel = channels.get(name)
        if channel is None or channel.submission != "xml":
            continue
        mine = [c for c in changes if c.channel == name]
        for package in split_packages(mine, f"{name}-{prefix}", max_offers):
            found.append((channel, package))
    return found
