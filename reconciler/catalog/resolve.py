"""From checked plain values to the typed model: one desired `Offer` per (channel, sku).

An offer on a channel is: the catalog's defaults, then the offer's own fields, then its
`overrides[channel]`; every value goes through reconciler.catalog.normal, the normal form the
live side is brought to as well. The rules that need the offer as it is on one channel (price
against taxes, striked price) are checked here, where that offer exists.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from reconciler import clock
from reconciler.catalog import normal
from reconciler.catalog.load import YamlFile
from reconciler.catalog.model import (
    DEFAULT_LINK_EXPIRY,
    XML_ONLY_FIELDS,
    CommercialOperation,
    Condition,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    Offer,
    OpenOffer,
    OperationKind,
    OperationSelector,
    PackageStore,
    Packaging,
    PriceAlignment,
    SalesChannel,
    StoreHeader,
    Submission,
)
from reconciler.catalog.schema import shown
from reconciler.clock import duration, seconds
from reconciler.errors import Location, Problem
from reconciler.sources import Merge

Raw = dict[str, Any]


def exact(value: object) -> Decimal:
    """A number as the exact Decimal the seller wrote (floats through their shortest form)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]


def _delivery(options: list[Raw]) -> tuple:
    return normal.delivery(
        [normal.delivery_option(o["mode"], o["cost"], o["additional_cost"]) for o in options]
    )


def _alignment(value: Raw) -> PriceAlignment:
    floor = value.get("minimum_price")
    return PriceAlignment(bool(value["align"]), None if floor is None else normal.money(floor))


def _packaging(value: Raw) -> Packaging:
    return Packaging(unit=value["unit"], value=exact(value["value"]))


# How each offer field reaches its normal form.
NORMAL_FORM: dict[str, Any] = {
    "price": normal.money,
    "stock": int,
    "condition": normal.condition,
    "vat": normal.rate,
    "eco_tax": normal.money,
    "dea_tax": normal.money,
    "preparation_days": int,
    "delivery": _delivery,
    "status": str,
    "comment": str,
    "striked_price": normal.money,
    "price_alignment": _alignment,
    "packaging": _packaging,
}
# What an offer has when neither it nor the defaults say otherwise.
FALLBACKS: dict[str, object] = {
    "condition": Condition.NEW,
    "eco_tax": normal.money(0),
    "dea_tax": normal.money(0),
    "status": "active",
    "comment": "",
    "striked_price": None,
    "price_alignment": None,
    "packaging": None,
}
# The amounts: their normal forms are kept by value written (see OfferResolver._normal).
_AMOUNTS = frozenset(("price", "vat", "eco_tax", "dea_tax", "striked_price"))
NEEDED = ("vat", "preparation_days", "delivery")  # from the offer or the defaults
_NEUTRAL = {name: FALLBACKS[name] for name in XML_ONLY_FIELDS}
# One object for every offer that leaves no field unknown (the parse cache finds shared parts
# of offers by identity).
_ALL_KNOWN: frozenset[str] = frozenset()


def normal_fields(values: Raw) -> Raw:
    return {name: NORMAL_FORM[name](v) for name, v in values.items() if name in NORMAL_FORM}


def settings(data: Raw) -> dict[str, Any]:
    """The catalog-wide parts of a `Catalog`, from a checked catalog.yaml."""
    market = data.get("marketplace", {})
    store = data.get("package_store")
    return {
        "seller_id": data["seller_id"],
        "marketplace": MarketplaceSettings(**market),
        "channels": {
            name: SalesChannel(
                name=name,
                id=str(channel["id"]),
                submission=Submission(channel["submission"]),
                publication_pools=tuple(channel.get("publication_pools", ())),
            )
            for name, channel in data["channels"].items()
        },
        "manage": ManagePolicy(data.get("manage", "listed")),
        "guards": _guards(data.get("guards", {})),
        "package_store": package_store(store) if store else None,
    }


def package_store(values: Raw) -> PackageStore:
    """catalog.yaml's `package_store` (schema-checked) as a PackageStore."""
    fields = dict(values)
    headers = fields.pop("headers", {})
    if "link_expiry" in fields:
        fields["link_expiry"] = seconds(fields["link_expiry"])
    return PackageStore(
        **fields,
        headers=tuple(StoreHeader(name, env) for name, env in headers.items()),
    )


def package_store_document(store: PackageStore) -> Raw:
    """The inverse of `package_store`: what catalog.yaml says, defaults left out."""
    document: Raw = {"type": store.type}
    for name in ("url", "get_url", "bucket", "prefix", "region", "endpoint_url"):
        if getattr(store, name):
            document[name] = getattr(store, name)
    if store.headers:
        document["headers"] = {h.name: h.env for h in store.headers}
    if store.type == "s3" and store.link_expiry != DEFAULT_LINK_EXPIRY:
        document["link_expiry"] = duration(store.link_expiry)
    return document


def _guards(values: Raw) -> Guards:
    return Guards(
        **{
            name: int(value) if name == "min_existing_offers" else exact(value)
            for name, value in values.items()
        }
    )


class OfferResolver:
    """Resolves declared offers against one catalog's defaults and channels."""

    def __init__(
        self,
        settings_file: YamlFile,
        channels: dict[str, SalesChannel],
        defaults: Raw,
        merge: Merge | None = None,
    ):
        self.settings_file = settings_file
        self.merge = merge
        self.channels = channels
        self.all_channels = list(channels)
        self.defaults = defaults
        self.base = {**FALLBACKS, **normal_fields(defaults)}
        self.amounts: dict[tuple[Any, object, type], Decimal] = {}

    def _normal(self, values: Raw) -> Raw:
        """normal_fields, each amount made once per value written: a catalog repeats its taxes
        and many prices, and offers holding the same Decimal are told alike by identity (the
        parse cache's tails)."""
        found = {}
        amounts = self.amounts
        for name, value in values.items():
            if name in _AMOUNTS:
                form = NORMAL_FORM[name]
                key = (form, value, type(value))  # 1 and 1.0 are one key to a dict, not to us
                amount = amounts.get(key)
                if amount is None:
                    amount = amounts[key] = form(value)
                found[name] = amount
            elif name in NORMAL_FORM:
                found[name] = NORMAL_FORM[name](value)
        return found

    def channels_of(self, raw: Raw) -> list[str]:
        named = raw.get("channels")
        if named is None:
            return self.all_channels
        return [name for name in named if name in self.channels]

    def resolve(
        self,
        file: YamlFile,
        index: int,
        raw: Raw,
        channels: list[str],
        unfilled: list[tuple[Offer, bool]] | None = None,
    ) -> tuple[list[Offer], list[Problem]]:
        """The offer on each of `channels`, and the problems of those resolved offers. With
        sources, `unfilled` gets each offer as the files give it (before the feeds' values)
        and whether it is inactive: what the parse cache keeps, the feeds changing hourly."""
        base = {**self.base, **self._normal(raw)}
        missing = [name for name in NEEDED if name not in base]
        if missing:
            return [], [self._missing(file, index, missing)]
        overrides = raw.get("overrides", {})
        offers: list[Offer] = []
        problems: list[Problem] = []
        absent: set[str] = set()
        for channel in channels:
            override = overrides.get(channel)
            values = {**base, **self._normal(override)} if override else base
            if self.channels[channel].submission is Submission.JSON:
                values = {**values, **_NEUTRAL}
            if self.merge is not None:
                # one way to fill an offer, for a parse and a parse cache's replay alike
                given = _offer(channel, raw, values, inactive_stock=False)
                inactive = values["status"] == "inactive"
                offer, lacking = self.filled(given, inactive)
                absent.update(lacking)
                if unfilled is not None:
                    unfilled.append((given, inactive))
            elif "price" not in values or "stock" not in values:
                absent.update(name for name in ("price", "stock") if name not in values)
            else:
                offer = _offer(channel, raw, values)
            if absent:
                continue
            problems += self._check(file, index, raw, offer)
            offers.append(offer)
        if absent:
            # The schema no longer requires them: a field a source feeds may be left out.
            problems = [
                file.problem(("offers", index), f"missing required field {name!r}")
                for name in sorted(absent, key=("price", "stock").index)
            ]
            return [], problems
        return offers, problems

    def _missing(self, file: YamlFile, index: int, missing: list[str]) -> Problem:
        names = ", ".join(missing)
        message = f"{names} not set: give it on the offer or in defaults of catalog.yaml"
        return file.problem(("offers", index), message)

    def filled(self, given: Offer, inactive: bool) -> tuple[Offer, list[str]]:
        """An offer as the files give it, with the feeds' values (Merge.fill), and the fields
        the catalog owns but does not give. `given`'s price and stock are None where no file
        gives them; an inactive offer's stock is 0 whoever owns it."""
        price, stock, unknown, absent = self._fed(given, inactive)
        offer = OpenOffer(  # an Offer, built faster (see unfrozen_twin)
            given.channel, given.sku, given.gtin, price, stock, *_BETWEEN(given), unknown
        )
        offer.__class__ = Offer
        return offer, absent  # type: ignore[return-value]

    def fill_in_place(self, given: Offer, inactive: bool) -> list[str]:
        """`filled`, into `given` itself: an offer just read back from the parse cache, which
        nothing else holds (building 200,000 offers again was most of a warm fed load)."""
        price, stock, unknown, absent = self._fed(given, inactive)
        object.__setattr__(given, "__class__", OpenOffer)  # the same slots: see unfrozen_twin
        given.price, given.stock, given.unknown = price, stock, unknown  # type: ignore[misc]
        given.__class__ = Offer
        return absent

    def _fed(self, given: Offer, inactive: bool) -> tuple[Any, Any, frozenset[str], list[str]]:
        """The price, stock and unknown fields of `given` once the feeds are merged."""
        assert self.merge is not None
        price, stock, unknown, absent = self.merge.fill(
            given.channel, given.sku, given.price, given.stock
        )
        if inactive and "stock" in unknown:
            unknown = unknown - {"stock"}
        return price, 0 if inactive else stock, unknown, absent

    def _check(self, file: YamlFile, index: int, raw: Raw, offer: Offer) -> list[Problem]:
        return [
            self._at(file, index, raw, offer.channel, name, message)
            for name, message in broken_rules(offer)
        ]

    def _at(self, file: YamlFile, index: int, raw: Raw, channel: str, name: str, message: str):
        """A problem at the place that gave the field its value on that channel."""
        if name in raw.get("overrides", {}).get(channel, {}):
            return file.problem(("offers", index, "overrides", channel, name), message)
        if name in raw or name not in self.defaults:
            return file.problem(("offers", index, name), message)
        return self.settings_file.problem(("defaults", name), message)


def broken_rules(offer: Offer) -> list[tuple[str, str]]:
    """(field, message) of each price rule the offer breaks on its channel."""
    if offer.price is None:  # unmanaged, or fed by a source without a value for it
        return []
    broken = []
    taxes = offer.eco_tax + offer.dea_tax
    if offer.price < taxes:
        broken.append(("price", f"price {offer.price} is below eco_tax + dea_tax ({taxes})"))
    if offer.striked_price is not None and offer.striked_price <= offer.price:
        message = f"striked_price must be above price {offer.price} (got {offer.striked_price})"
        broken.append(("striked_price", message))
    return broken


# An offer's fields between its stock and its unknown ones: what filling it leaves alone.
_BETWEEN = attrgetter(
    *("condition", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery", "comment"),
    *("striked_price", "price_alignment", "packaging", "discounts"),
)


def _offer(
    channel: str,
    raw: Raw,
    values: Raw,
    unknown: frozenset[str] = _ALL_KNOWN,
    inactive_stock: bool = True,
) -> Offer:
    """The offer of `values`; an inactive one's stock 0 unless not `inactive_stock` (as the
    files give it, before the feeds: Merge.fill must see whether a file gives a stock)."""
    inactive = inactive_stock and values["status"] == "inactive"
    if inactive and "stock" in unknown:  # an inactive offer's stock is 0, whoever owns it
        unknown = unknown - {"stock"}
    offer = OpenOffer(  # an Offer, built faster (see unfrozen_twin)
        channel=channel,
        sku=raw["sku"],
        gtin=raw["gtin"],
        price=values.get("price"),  # None: a field no one gives (it is in `unknown`)
        stock=0 if inactive else values.get("stock"),  # type: ignore[arg-type]
        condition=values["condition"],
        vat=values["vat"],
        eco_tax=values["eco_tax"],
        dea_tax=values["dea_tax"],
        preparation_days=values["preparation_days"],
        delivery=values["delivery"],
        comment=values["comment"],
        striked_price=values["striked_price"],
        price_alignment=values["price_alignment"],
        packaging=values["packaging"],
        discounts=(),
        unknown=unknown,
    )
    offer.__class__ = Offer
    return offer  # type: ignore[return-value]


def operation(
    file: YamlFile, index: int, raw: Raw
) -> tuple[CommercialOperation | None, list[Problem]]:
    """A commercial operation from a checked item of an operations file."""
    at = ("operations", index)
    moments: dict[str, datetime] = {}
    problems: list[Problem] = []
    for name in ("start", "end"):
        try:
            moments[name] = clock.moment(raw[name])
        except ValueError as err:
            said = str(err)
            if "does not exist" in said:
                message = said
            else:
                why = f": {said}" if said.startswith("the year") else ""
                message = f"is not a valid date and time (got {shown(raw[name])}){why}"
            problems.append(file.problem((*at, name), message))
    if problems:
        return None, problems
    line, column = file.item_marks["operations"][index]
    selector = raw["offers"]
    reference = raw.get("reference_price")
    return (
        CommercialOperation(
            name=raw["name"],
            kind=OperationKind(raw["kind"]),
            channel=raw["channel"],
            start=moments["start"],
            end=moments["end"],
            discount_percent=int(raw["discount_percent"]),
            selector=OperationSelector(
                skus=tuple(selector.get("skus", ())), tags=tuple(selector.get("tags", ()))
            ),
            reference_price=None if reference is None else normal.money(reference),
            location=Location(file.name, line, column, f"operations[{index}]"),
        ),
        [],
    )
