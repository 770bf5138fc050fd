"""The Omnibus check's result, kept for the next run while nothing it depends on moved.

An hourly `validate` of an unchanged catalog asks the same question of the same history: the
answer is kept in the catalog's signed cache (reconciler.catalog.cache.SignedStore: an entry
that is corrupt, foreign or planted is ignored) under a name made of everything the check
reads, so that a change to any of it finds no entry and the check runs again:

- the catalog: its files' content hash (catalog.yaml, offers, operations, with their paths),
  the feeds' fingerprints (a fed price is a current price), where the catalog lies;
- the history: the repository's top, HEAD, and where a shallow clone is cut;
- the day: which sales are still running (a sale past its end is no longer checked);
- the tool: the catalog code and schemas (cache.tool_digest) and the operations' own code.

The one thing kept that moves with the clock, the moment a "current catalog" price is seen,
is written back from `now`. A catalog with errors has no content hash: nothing is kept.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reconciler.catalog.cache import FORMAT, tool_digest
from reconciler.catalog.model import Catalog, CommercialOperation
from reconciler.operations.discounts import instant
from reconciler.operations.history import PriceHistory

if TYPE_CHECKING:
    from reconciler.operations.omnibus import OmnibusCheck

_CODE = Path(__file__).resolve().parent  # the operations package
CURRENT = "current catalog"


@cache
def code_digest() -> bytes:
    """The catalog's code and schemas, and the operations' code (the check itself)."""
    digest = hashlib.blake2b(tool_digest(), digest_size=32)
    for source in sorted(_CODE.glob("*.py")) + [_CODE.parent / "clock.py"]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def entry_name(
    catalog: Catalog, history: PriceHistory, sales: list[CommercialOperation]
) -> str | None:
    """The name of the kept result for this catalog, history and set of running sales; None
    when the catalog has no content hash (it has errors) or the cache is off."""
    if not catalog.content_hash or not history.store.enabled:
        return None
    merge = catalog.merge
    feeds = [] if merge is None else sorted((n, f.fingerprint) for n, f in merge.feeds.items())
    place = {id(op): n for n, op in enumerate(catalog.operations)}
    running = [place[id(op)] for op in sales]
    key = [
        "omnibus check",
        code_digest().hex(),
        catalog.content_hash,
        str(Path(catalog.root).resolve()),
        feeds,
        str(history.top),
        history.state,
        running,
    ]
    digest = hashlib.blake2b(FORMAT + orjson.dumps(key), digest_size=24).hexdigest()
    return f"omnibus-{digest}"


def encode(check: OmnibusCheck, catalog: Catalog) -> dict[str, Any]:
    """An OmnibusCheck as plain data: operations by their place in the catalog."""
    place = {id(op): n for n, op in enumerate(catalog.operations)}
    findings = [
        [
            place[id(f.operation)],
            f.sku,
            str(f.reference_price),
            str(f.lowest.price),
            None if f.lowest.source == CURRENT else f.lowest.since.isoformat(),
            f.lowest.source,
        ]
        for f in check.findings
    ]
    gaps = [[place[id(g.operation)], g.reaches.isoformat(), g.shallow] for g in check.gaps]
    return {"checked": check.checked, "findings": findings, "gaps": gaps}


def decode(entry: object, catalog: Catalog, now: datetime) -> dict[str, Any] | None:
    """The fields of an OmnibusCheck from a kept entry, findings and gaps as tuples of their
    fields; None when it is not as `encode` wrote it."""
    if not isinstance(entry, dict) or not isinstance(entry.get("checked"), int):
        return None
    operations = catalog.operations
    try:
        findings = [
            (
                _operation(operations, op),
                _text(sku),
                Decimal(_text(reference)),
                Decimal(_text(price)),
                instant(now) if since is None else datetime.fromisoformat(since),
                _text(source),
            )
            for op, sku, reference, price, since, source in entry["findings"]
        ]
        gaps = [
            (_operation(operations, op), datetime.fromisoformat(reaches), _flag(shallow))
            for op, reaches, shallow in entry["gaps"]
        ]
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
        return None
    return {"checked": entry["checked"], "findings": findings, "gaps": gaps}


def _operation(operations: tuple[CommercialOperation, ...], place: object) -> CommercialOperation:
    if not isinstance(place, int) or isinstance(place, bool) or not 0 <= place < len(operations):
        raise IndexError("no such operation")
    return operations[place]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a flag")
    return value
