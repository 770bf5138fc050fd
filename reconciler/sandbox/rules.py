"""The marketplace's checks on one offer, with the result codes of OFFERS_XML.md.

A code is the two-digit error followed by the two-digit property (1906 = price <= 0 + price),
as the REST-era logs write them. Both JSON and XML submissions are brought to a `draft` (a flat
dict of exact values) and checked here, so one rule gives one code whatever the route.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

CREATED = 8000
UPDATED = 9000

# Property codes (OFFERS_XML.md); 00 where the documentation names none (preparation time).
P_EAN, P_SKU, P_STOCK, P_PRICE, P_VAT, P_ECO = 1, 3, 5, 6, 7, 8
P_SHIPPING, P_REFERENCE, P_PROMO_TYPE, P_START, P_END = 11, 18, 19, 20, 22
P_DISCOUNT, P_SALES_REFERENCE, P_PRODUCT, P_DEA, P_NONE, P_CONDITION = 26, 27, 24, 31, 0, 2

REQUIRED, BAD_FORMAT, NO_PRODUCT, BAD_EAN_KEY, OUT_OF_RANGE, PRICE_NOT_POSITIVE = (
    10,
    11,
    13,
    16,
    17,
    19,
)
REFERENCE_BELOW_PRICE, REFERENCE_REUSED, END_BEFORE_START, AWAITING = 23, 25, 26, 28
PRICE_BELOW_TAXES, NO_SUCH_OFFER, DELIVERY_NOT_CONFIGURED, INJECTED = 29, 36, 40, 99

FLASH_SALE_MAX = timedelta(hours=72)
FLASH_SALE_GAP = timedelta(hours=48)
# Bounds of our own, so an absurd value is a rejection rather than a database error.
MAX_STOCK = 999_999
MAX_PRICE = 9_999_999
MAX_NUMBER = Decimal(10) ** 12
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")  # as xs:decimal writes it: no exponent


def code(error: int, prop: int) -> int:
    return error * 100 + prop


@dataclass(frozen=True, slots=True)
class Result:
    resultCode: int  # noqa: N815 - the wire name
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"resultCode": self.resultCode, "message": self.message}


class Rejected(Exception):
    """A value that cannot even be read; carries its result."""

    def __init__(self, result: Result):
        super().__init__(result.message)
        self.result = result


def fail(error: int, prop: int, message: str) -> Rejected:
    return Rejected(Result(code(error, prop), message))


def decimal_of(value: Any, prop: int, name: str, places: int | None = 2) -> Decimal:
    """An exact number from JSON (Decimal/int) or XML (text); bools and floats are refused."""
    if isinstance(value, bool) or value is None or isinstance(value, float | list | dict):
        raise fail(BAD_FORMAT, prop, f"{name}: a number is expected, got {value!r}")
    if isinstance(value, str) and not PLAIN_NUMBER.match(value.strip()):
        raise fail(BAD_FORMAT, prop, f"{name}: {value!r} is not a plain decimal number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise fail(BAD_FORMAT, prop, f"{name}: {value!r} is not a number") from None
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise fail(BAD_FORMAT, prop, f"{name}: {value!r} is not a number in range")
    if places is not None and -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise fail(BAD_FORMAT, prop, f"{name}: at most {places} decimals, got {value}")
    return number


def int_of(value: Any, prop: int, name: str, error: int = BAD_FORMAT) -> int:
    number = decimal_of(value, prop, name, places=None)
    if number != number.to_integral_value():
        raise fail(error, prop, f"{name}: a whole number is expected, got {value}")
    return int(number)


def gtin_key_valid(gtin: str) -> bool:
    """The GS1 check digit: weights 3 and 1 from the right, the last digit excluded."""
    digits = [int(c) for c in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def gtin_of(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise fail(REQUIRED, P_EAN, "gtin is required")
    if not text.isdigit() or not 8 <= len(text) <= 14:
        raise fail(BAD_FORMAT, P_EAN, f"gtin {text!r}: 8 to 14 digits expected")
    if not gtin_key_valid(text):
        raise fail(BAD_EAN_KEY, P_EAN, f"gtin {text}: invalid check digit")
    return text


@dataclass(frozen=True, slots=True)
class Context:
    """What the checks need to know of the marketplace."""

    delivery_codes: frozenset[str]
    known_gtins: frozenset[str] | None  # None: every product exists


def check(draft: dict[str, Any], ctx: Context) -> list[Result]:
    """Every rule an offer breaks; an empty list means it may be integrated."""
    found: list[Result] = []
    price = draft["price"]
    if ctx.known_gtins is not None and draft["gtin"] not in ctx.known_gtins:
        found.append(Result(code(NO_PRODUCT, P_PRODUCT), f"product {draft['gtin']} does not exist"))
    if price <= 0:
        found.append(Result(code(PRICE_NOT_POSITIVE, P_PRICE), f"price {price} must be above 0"))
    elif price < draft["eco_tax"] + draft["dea_tax"]:
        found.append(
            Result(
                code(PRICE_BELOW_TAXES, P_PRICE),
                f"price {price} is below eco part {draft['eco_tax']} + DEA {draft['dea_tax']}",
            )
        )
    found.extend(_ranges(draft))
    striked = draft.get("striked_price")
    if striked is not None and striked <= price:
        found.append(
            Result(
                code(REFERENCE_BELOW_PRICE, P_REFERENCE),
                f"striked price {striked} must be above the price {price}",
            )
        )
    for option in draft["delivery"]:
        if option["code"] not in ctx.delivery_codes:
            found.append(
                Result(
                    code(DELIVERY_NOT_CONFIGURED, P_SHIPPING),
                    f"delivery mode {option['code']} is not configured for the seller",
                )
            )
    operations = draft.get("operations", ())
    for operation in operations:
        found.extend(_operation(operation))
    found.extend(_calendar(operations))
    return found


def _calendar(operations: list[dict[str, Any]]) -> list[Result]:
    """One operation at a time per offer, and 48 h between two flash sales of one offer."""
    found = []
    ordered = sorted(operations, key=lambda op: op["start"])
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after["start"] < before["end"]:
            found.append(Result(code(OUT_OF_RANGE, P_START), "two operations overlap"))
        elif (
            before["type"] == after["type"] == "FlashSale"
            and after["start"] - before["end"] < FLASH_SALE_GAP
        ):
            found.append(
                Result(code(OUT_OF_RANGE, P_START), "48 h must pass between two flash sales")
            )
    return found


def _ranges(draft: dict[str, Any]) -> list[Result]:
    found = []
    if not 1 <= draft["preparation_days"] <= 10:
        found.append(
            Result(
                code(OUT_OF_RANGE, P_NONE),
                f"preparation time {draft['preparation_days']} must be 1 to 10 days",
            )
        )
    if not 0 <= draft["quantity"] <= MAX_STOCK:
        found.append(Result(code(OUT_OF_RANGE, P_STOCK), f"stock must be 0 to {MAX_STOCK}"))
    if draft["price"] > MAX_PRICE:
        found.append(Result(code(OUT_OF_RANGE, P_PRICE), f"price must be at most {MAX_PRICE}"))
    if not 0 <= draft["vat"] <= 100:
        found.append(Result(code(OUT_OF_RANGE, P_VAT), f"VAT {draft['vat']} must be 0 to 100"))
    for name, prop in (("eco_tax", P_ECO), ("dea_tax", P_DEA)):
        if draft[name] < 0:
            found.append(Result(code(OUT_OF_RANGE, prop), f"{name} must be 0 or more"))
    if not draft["delivery"]:
        found.append(Result(code(REQUIRED, P_SHIPPING), "at least one delivery mode is needed"))
    for option in draft["delivery"]:
        if option["cost"] < 0 or option["additionalCost"] < 0:
            found.append(Result(code(OUT_OF_RANGE, P_SHIPPING), "shipping charges must be >= 0"))
    return found


def _operation(op: dict[str, Any]) -> list[Result]:
    found = []
    start: datetime = op["start"]
    end: datetime = op["end"]
    if end <= start:
        found.append(
            Result(code(END_BEFORE_START, P_END), f"operation ends {end} before it starts {start}")
        )
    elif op["type"] == "FlashSale" and end - start > FLASH_SALE_MAX:
        found.append(Result(code(OUT_OF_RANGE, P_END), "a flash sale lasts at most 72 hours"))
    if not 1 <= op["percent"] <= 99:
        found.append(
            Result(code(OUT_OF_RANGE, P_DISCOUNT), f"discount {op['percent']}% must be 1 to 99")
        )
    reference = op.get("reference")
    if reference is not None and reference <= 0:
        found.append(
            Result(code(PRICE_NOT_POSITIVE, P_SALES_REFERENCE), "sales reference price must be > 0")
        )
    return found
