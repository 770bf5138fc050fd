"""A feed's cells to the offer's normal form, as French ERP exports write them.

A stock is a whole number >= 0 (`12`, never `12,5`); a price takes a decimal point or comma
(`12.50`, `12,50`), with spaces as thousands separators. A value that is neither raises
`BadValue` with the reason, which the reader locates (file, row, column).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from reconciler.catalog import normal
from reconciler.clock import aware


class BadValue(ValueError):
    """A cell that is not a value of its field; the message says why, not where."""


_WHOLE = re.compile(r"[0-9]+")
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f")
MAX_PRICE = Decimal(10_000_000)


def quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


MAX_STOCK = 2_147_483_647  # as the offers schema: a 32-bit integer


def stock(value: object) -> int:
    if type(value) is str and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)  # the common case, fast
    if isinstance(value, bool):
        raise BadValue(f"{quoted(value)} is not a whole number")
    if isinstance(value, int):
        if value < 0:
            raise BadValue(f"{value} is below 0")
        if value > MAX_STOCK:
            raise BadValue(f"{value} is beyond any stock (at most {MAX_STOCK:,})")
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise BadValue(f"{quoted(value)} is not a whole number")
        return stock(int(value))
    text = str(value).strip()
    if text.startswith("-") and _WHOLE.fullmatch(text[1:]):
        raise BadValue(f"{quoted(value)} is below 0")
    if not _WHOLE.fullmatch(text):
        raise BadValue(f"{quoted(value)} is not a whole number")
    return stock(int(text))


def price(value: object) -> object:
    if isinstance(value, bool):
        raise BadValue(f"{quoted(value)} is not a price")
    if isinstance(value, str):
        text = value.strip().translate(_THOUSANDS)
        if "," in text and "." in text:
            raise BadValue(f"{quoted(value)} mixes a decimal point and a comma")
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise BadValue(f"{quoted(value)} is not a price") from None
    else:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    if not amount.is_finite() or amount <= 0:
        raise BadValue(f"{quoted(value)} is not a price above 0")
    if amount > MAX_PRICE:
        raise BadValue(f"{quoted(value)} is beyond any price")
    if amount != amount.quantize(normal.CENT):
        raise BadValue(f"{quoted(value)} has more than 2 decimals")
    return normal.money(amount)


PARSERS = {"stock": stock, "price": price}


def moment(value: object) -> datetime:
    """A date-time cell (ISO 8601, or what the database driver returns); no offset = Paris."""
    if isinstance(value, datetime):
        return aware(value)
    try:
        return aware(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise BadValue(f"{quoted(value)} is not a date and time") from None


def is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())
