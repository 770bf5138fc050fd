"""The typed model: what a seller declares, resolved to one desired `Offer` per (channel, sku).

`Offer` is the normal form both sides of a plan are brought to: the desired offers built from the
catalog and the live offers read from the marketplace. Everything in it is compared by the diff,
so nothing here may be a field only one side knows (tags, file positions live in `Catalog`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from reconciler.errors import Location

if TYPE_CHECKING:
    from reconciler.sources import Merge


class Condition(StrEnum):
    NEW = "new"
    LIKE_NEW = "like_new"
    VERY_GOOD = "very_good"
    GOOD = "good"
    AVERAGE = "average"
    REFURBISHED = "refurbished"


class Submission(StrEnum):
    XML = "xml"  # Cdiscount offer integration packages (zip of Offers.xml)
    JSON = "json"  # Octopia offer-packages API


class ManagePolicy(StrEnum):
    LISTED = "listed"  # only offers named in offers/ are touched
    ALL = "all"  # a live offer missing from offers/ is deleted (json) or withdrawn (xml)


class OperationKind(StrEnum):
    SALES = "sales"
    FLASH_SALE = "flash_sale"


@dataclass(frozen=True, slots=True, order=True)
class DeliveryOption:
    """One delivery mode offered with an offer, by its API code (STD, TRK, REG, ...)."""

    mode: str
    cost: Decimal
    additional_cost: Decimal


@dataclass(frozen=True, slots=True)
class PriceAlignment:
    """Cdiscount's PriceMustBeAligned: may Cdiscount lower the price to match competitors."""

    align: bool
    minimum_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Packaging:
    """Unit-price display: the offer holds `value` of `unit` (Liter, Kilogram, ...)."""

    unit: str
    value: Decimal


@dataclass(frozen=True, slots=True, order=True)
class Discount:
    """A commercial operation as it applies to one offer (an XML DiscountComponent).

    Times are timezone-aware. The operation's name is the catalog's own and never reaches the
    marketplace, so it is not part of the compared offer.
    """

    start: datetime
    end: datetime
    kind: OperationKind
    percent: int
    reference_price: Decimal | None = None  # sales only; None = the offer's price


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer on one sales channel, in normal form (see reconciler.catalog.normal).

    `channel` is the catalog's name for the channel (e.g. "cdiscount"), not the salesChannelId.
    `stock` is the quantity actually on sale: an inactive offer has stock 0.
    The four XML-only fields keep their neutral value ("" / None) on json channels.

    `unknown` names the fields this side does not state, which the diff never compares: on a
    live offer, the nodes the marketplace did not return (their value here is None, never an
    invented zero); on a desired offer, the fields the catalog does not own (left unmanaged, or
    fed by a source that gave no value). A desired offer may still carry a value for such a
    field: the one a create sends. Not part of equality: it says how much is known, not what.
    """

    channel: str
    sku: str
    gtin: str
    price: Decimal
    stock: int
    condition: Condition
    vat: Decimal
    eco_tax: Decimal
    dea_tax: Decimal
    preparation_days: int
    delivery: tuple[DeliveryOption, ...]  # sorted by mode
    comment: str = ""
    striked_price: Decimal | None = None
    price_alignment: PriceAlignment | None = None
    packaging: Packaging | None = None
    discounts: tuple[Discount, ...] = ()  # sorted by start
    unknown: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel, self.sku)


def unfrozen_twin(frozen: type) -> type:
    """A mutable twin of a frozen, slotted dataclass: the same slots, in the same order.

    A frozen dataclass's __init__ sets each field through object.__setattr__ (about 2 µs for
    Offer's 17): a load of 200,000 offers spent a good part of its time there. An instance of
    the twin is built with plain slot stores, then its class is set to the frozen one, which
    makes it that very object (Python refuses the assignment if the two layouts differ).
    """
    spec = [(f.name, f.type) for f in fields(frozen)]
    return make_dataclass(f"Open{frozen.__name__}", spec, slots=True)


# `offer = OpenOffer(...); offer.__class__ = Offer`: an Offer, built for bulk loads.
OpenOffer = unfrozen_twin(Offer)

# The offer fields that travel in a StockAndPrice (light) XML package.
STOCK_AND_PRICE_FIELDS = frozenset({"price", "stock"})
# The offer fields only XML packages carry; json channels never receive them.
XML_ONLY_FIELDS = ("comment", "striked_price", "price_alignment", "packaging")


@dataclass(frozen=True, slots=True)
class SalesChannel:
    name: str  # the catalog's own name
    id: str  # the salesChannelId (CDISFR, SELLZZ, ...)
    submission: Submission
    publication_pools: tuple[int, ...] = ()  # xml only


@dataclass(frozen=True, slots=True)
class Guards:
    max_update_percent: Decimal = Decimal(30)
    max_delete_percent: Decimal = Decimal(10)
    min_existing_offers: int = 10
    max_price_change_percent: Decimal = Decimal(50)
    max_stock_zeroed_percent: Decimal = Decimal(20)


DEFAULT_LINK_EXPIRY = 6 * 3600  # seconds: the docs do not say how soon Cdiscount downloads


@dataclass(frozen=True, slots=True)
class StoreHeader:
    """A header sent with each upload, its value read from the environment variable `env`."""

    name: str
    env: str  # a token is never in git


@dataclass(frozen=True, slots=True)
class PackageStore:
    """Where XML packages are published (see reconciler.channels.store)."""

    type: str  # http-put | s3
    url: str = ""  # http-put: where the zip is PUT, with a {name} placeholder
    get_url: str = ""  # http-put: where the marketplace GETs it, when not from `url`
    headers: tuple[StoreHeader, ...] = ()  # http-put
    bucket: str = ""  # s3
    prefix: str = ""  # s3: the key prefix of every package
    region: str | None = None  # s3
    endpoint_url: str | None = None  # s3: an S3-compatible service; None is AWS
    link_expiry: int = (
        DEFAULT_LINK_EXPIRY  # s3: seconds the presigned link given to the marketplace lasts
    )


@dataclass(frozen=True, slots=True)
class MarketplaceSettings:
    api_url: str = "https://api.octopia-io.net/seller/v2"
    auth_url: str = "https://auth.octopia-io.net/auth/realms/maas/protocol/openid-connect/token"
    sandbox: str | None = None  # "embedded": run against the built-in sandbox


@dataclass(frozen=True, slots=True)
class OperationSelector:
    skus: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommercialOperation:
    name: str
    kind: OperationKind
    channel: str
    start: datetime
    end: datetime
    discount_percent: int
    selector: OperationSelector
    reference_price: Decimal | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Catalog:
    """A loaded, validated catalog: settings plus the desired offers, resolved."""

    root: str
    seller_id: int
    marketplace: MarketplaceSettings
    channels: dict[str, SalesChannel]
    manage: ManagePolicy
    guards: Guards
    package_store: PackageStore | None
    offers: dict[tuple[str, str], Offer]  # (channel, sku) -> desired offer
    operations: tuple[CommercialOperation, ...] = ()
    tags: dict[str, frozenset[str]] = field(default_factory=dict)  # sku -> tags
    # where each offer is declared (loaded: an Origins, whose places are made when asked)
    origins: Mapping[tuple[str, str], Location] = field(default_factory=dict)
    content_hash: str = ""  # sha256 over the catalog's files, for stale-plan checks
    merge: Merge | None = None  # who owns stock and price, and the feeds read (None: all git)
