"""The catalog rules a JSON Schema cannot say (CATALOG_FORMAT.md, "Rules every tool must enforce").

These run on the plain values of items the schema accepted, so types are already right. The rules
that need an offer as it is on one channel (price against taxes, striked price) are checked by
reconciler.catalog.resolve, where defaults and overrides are applied.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter

from reconciler.catalog.load import YamlFile
from reconciler.catalog.model import XML_ONLY_FIELDS, Submission
from reconciler.catalog.normal import XML_DELIVERY_NAMES
from reconciler.catalog.origins import Origins
from reconciler.catalog.schema import shown
from reconciler.clock import seconds
from reconciler.errors import Location, Problem

MONEY_FIELDS = ("price", "eco_tax", "dea_tax", "striked_price")
DELIVERY_CODES = ", ".join(sorted(XML_DELIVERY_NAMES))

Path = tuple[str | int, ...]


def gtin_check_digit(digits: str) -> int:
    """The GS1 check digit of a GTIN-8/12/13/14 whose last digit is the check digit."""
    body = digits[-2::-1]  # from the digit next to the check digit, leftwards: weights 3, 1, 3...
    total = 3 * sum(map(int, body[0::2])) + sum(map(int, body[1::2]))
    return (10 - total % 10) % 10


def check_defaults(settings: YamlFile, defaults: dict[str, object]) -> list[Problem]:
    return _fields(settings, ("defaults",), defaults)


def check_channels(settings: YamlFile, channels: dict[str, dict[str, object]]) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, str] = {}
    for name, channel in channels.items():
        if channel["submission"] == "json" and channel.get("publication_pools"):
            message = "publication_pools exist only in XML packages: this channel is json"
            problems.append(settings.problem(("channels", name, "publication_pools"), message))
        first = by_id.setdefault(str(channel["id"]), name)
        if first != name:
            message = f"channel id {channel['id']!r} is already used by channel {first!r}"
            problems.append(settings.problem(("channels", name, "id"), message))
    return problems


STORE_FIELDS = {
    "http-put": {"type", "url", "get_url", "headers"},
    "s3": {"type", "bucket", "prefix", "region", "endpoint_url", "link_expiry"},
}
STORE_NEEDS = {"http-put": "url", "s3": "bucket"}
MAX_LINK_EXPIRY = 7 * 86400  # SigV4 presigned links last at most 7 days


def check_package_store(settings: YamlFile, store: dict[str, object] | None) -> list[Problem]:
    """Each store type takes its own fields; a link cannot outlive what S3 signs."""
    if store is None:
        return []
    kind = str(store["type"])
    at = ("package_store",)
    problems = [
        settings.problem((*at, name), f"{name} is not a setting of the {kind} store")
        for name in store
        if name not in STORE_FIELDS[kind]
    ]
    if STORE_NEEDS[kind] not in store:
        message = f"the {kind} store needs {STORE_NEEDS[kind]!r}"
        problems.append(settings.problem(at, message))
    expiry = store.get("link_expiry")
    if isinstance(expiry, str) and seconds(expiry) > MAX_LINK_EXPIRY:
        message = f"link_expiry {expiry}: a presigned link lasts at most 7d"
        problems.append(settings.problem((*at, "link_expiry"), message))
    return problems


def check_offer(
    file: YamlFile, index: int, offer: dict[str, object], submissions: dict[str, Submission]
) -> list[Problem]:
    """Problems of one declared offer (the rules that need no defaults and no other offer)."""
    at: Path = ("offers", index)
    problems = _fields(file, at, offer)
    gtin = offer["gtin"]
    if int(gtin[-1]) != gtin_check_digit(gtin):  # type: ignore[index]
        expected = gtin_check_digit(gtin)  # type: ignore[arg-type]
        message = f"the GTIN check digit is wrong: it should end in {expected} (got {shown(gtin)})"
        problems.append(file.problem((*at, "gtin"), message))
    for position, name in enumerate(offer.get("channels", ())):  # type: ignore[arg-type]
        if name not in submissions:
            problems.append(file.problem((*at, "channels", position), _unknown(name, submissions)))
    for name, override in offer.get("overrides", {}).items():  # type: ignore[union-attr]
        submission = submissions.get(name)
        if submission is None:
            where = (*at, "overrides", name)
            problems.append(file.problem(where, _unknown(name, submissions), key=True))
            continue
        sold_on = offer.get("channels")
        if sold_on is not None and name not in sold_on:  # type: ignore[operator]
            message = f"an override for channel {name!r}, which this offer's channels leave out"
            where = (*at, "overrides", name)
            problems.append(Problem(file.at(where, key=True), message, "warning"))
        problems += _fields(file, (*at, "overrides", name), override)
        if submission is Submission.JSON:
            problems += _xml_only(file, (*at, "overrides", name), override, name)
    return problems


def _fields(file: YamlFile, at: Path, values: dict[str, object]) -> list[Problem]:
    """Money with at most two decimals and known delivery modes, in an offer-like mapping."""
    problems: list[Problem] = []
    for name in MONEY_FIELDS:
        value = values.get(name)
        if value is not None and not _cents(value):
            problems.append(file.problem((*at, name), _decimals(value)))
    alignment = values.get("price_alignment")
    if alignment and not _cents(alignment.get("minimum_price", 0)):  # type: ignore[union-attr]
        where = (*at, "price_alignment", "minimum_price")
        problems.append(file.problem(where, _decimals(alignment["minimum_price"])))  # type: ignore[index]
    for position, option in enumerate(values.get("delivery", ())):  # type: ignore[arg-type]
        here = (*at, "delivery", position)
        if option["mode"] not in XML_DELIVERY_NAMES:
            message = f"unknown delivery mode {option['mode']!r} (known: {DELIVERY_CODES})"
            problems.append(file.problem((*here, "mode"), message))
        for name in ("cost", "additional_cost"):
            if not _cents(option[name]):
                problems.append(file.problem((*here, name), _decimals(option[name])))
    return problems


def _cents(value: object) -> bool:
    # round() is correctly rounded, so a float equals its 2-decimal rounding exactly when its
    # shortest decimal form (what the seller wrote) has at most 2 decimals.
    return isinstance(value, int) or round(value, 2) == value  # type: ignore[call-overload]


def _decimals(value: object) -> str:
    return f"money has at most 2 decimals (got {shown(value)})"


def _xml_only(file: YamlFile, at: Path, override: dict[str, object], channel: str) -> list[Problem]:
    return [
        file.problem(
            (*at, name),
            f"{name} exists only in XML packages: channel {channel!r} uses json submission "
            "and cannot receive it",
            key=True,
        )
        for name in XML_ONLY_FIELDS
        if name in override
    ]


def _unknown(name: str, submissions: dict[str, Submission]) -> str:
    known = sorted(submissions)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f": did you mean {close[0]!r}?" if close else ""
    return f"unknown channel {name!r}{hint} (catalog.yaml declares: {', '.join(known)})"


class SkuRegister:
    """Where each (channel, sku) is declared, to refuse a second declaration naming both places."""

    def __init__(self, first: Origins | None = None) -> None:
        self.first = Origins({}) if first is None else first
        # by the sku as a reader sees it: (sku, its first place), or the sku alone when read
        # back from the parse cache (`first` knows its place: a tuple each cost ~56 bytes)
        self.looks: dict[str, tuple[str, Location] | str] = {}

    def clash(self, sku: str, channels: list[str], where: Location) -> str | None:
        """Declare `sku` on `channels`; a message naming the first places when one clashes."""
        look_alike = self._look_alike(sku, where)
        if look_alike:
            return look_alike
        firsts: dict[Location, list[str]] = {}
        for channel in channels:
            earlier = self.first.setdefault((channel, sku), where)
            if earlier is not where:
                firsts.setdefault(earlier, []).append(channel)
        if not firsts:
            return None
        places = [
            f"for channel{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))} "
            f"first at {first.file}:{first.line} ({first.field})"
            for first, names in firsts.items()
        ]
        return f"sku {sku!r} is declared twice: {'; '.join(places)}"

    def looks_of(self, skus: list[str]) -> tuple[dict[str, str], set[str], set[str]] | None:
        """How the skus of a whole file (read back from the parse cache, so they clash with
        nothing inside it) look, for the caller to add to `looks` once it keeps the file (a
        sku read back stands for itself: `first` knows its place); with the skus another file
        declares too, and those it declares twice (for other channels). None when one looks
        like another file's: parsing the file again then says where."""
        if all(map(str.isascii, skus)):  # ASCII is its own look: all in C
            looks = dict(zip(skus, skus, strict=True))
        else:
            looks = {_look(sku): sku for sku in skus}
        twice: set[str] = set()
        if len(looks) != len(skus):
            twice = {sku for sku, times in Counter(skus).items() if times > 1}
        earlier: set[str] = set()
        if not self.looks.keys().isdisjoint(looks):
            for look in looks.keys() & self.looks.keys():
                if _sku_of(self.looks[look]) != looks[look]:
                    return None
                earlier.add(looks.pop(look))  # the same sku, on other channels: its place stays
        return looks, earlier, twice

    def _look_alike(self, sku: str, where: Location) -> str | None:
        """Two skus a person cannot tell apart are two offers on the marketplace: refused."""
        seen = self.looks.setdefault(_look(sku), (sku, where))
        other = _sku_of(seen)
        if other == sku:
            return None
        first = seen[1] if isinstance(seen, tuple) else self.first.place_of(other)
        first = first or Location("offers")  # never: a sku read back has its place
        return (
            f"sku {ascii(sku)} looks the same as sku {ascii(other)} at {first.file}:{first.line} "
            f"({first.field}): they differ only by invisible characters or by how an accent is "
            "encoded (Unicode normalization); write them the same way"
        )


def _sku_of(seen: str | tuple[str, Location]) -> str:
    """The sku of a `looks` value: a sku read back stands for itself."""
    return seen if isinstance(seen, str) else seen[0]


def _look(sku: str) -> str:
    """The sku as a reader sees it."""
    if sku.isascii():  # the common case: ASCII is its own normal form, with nothing invisible
        return sku
    # format characters (Cf: zero-width space and joiners, soft hyphen, bidi marks) take no
    # room on screen
    normal = unicodedata.normalize("NFC", sku)
    return "".join(c for c in normal if unicodedata.category(c) != "Cf")
