"""JSON as the sandbox writes and reads it: money is Decimal inside, a JSON number outside."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Only to print it: a Decimal of at most a few places has a float whose shortest repr
        # is the same digits, and no arithmetic is ever done on that float.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_number, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number as an exact Decimal."""
    return json.loads(text, parse_float=Decimal)


# The property names the seller API reads in request bodies. The API is an ASP.NET service,
# whose JSON binding ignores case: {"PackageType": ...} and {"packagetype": ...} both bind.
REQUEST_NAMES = (
    "packageType",
    "state",
    "sellerExternalReference",
    "product",
    "gtin",
    "condition",
    "price",
    "taxes",
    "code",
    "type",
    "value",
    "deliveryModes",
    "cost",
    "additionalCost",
    "preparationTime",
    "quantity",
)
_BY_FOLDED = {name.lower(): name for name in REQUEST_NAMES}


def canonical(value: Any) -> Any:
    """A request body with every known property name in its documented spelling."""
    if isinstance(value, dict):
        return {
            _BY_FOLDED.get(k.lower(), k) if isinstance(k, str) else k: canonical(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value
