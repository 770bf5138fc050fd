"""The one normalization shared by desired and live offers.

Both the catalog resolver and the live-offer reader call these functions, so two offers that mean
the same thing compare equal, and a plan right after an apply is empty.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from reconciler.catalog.model import Condition, DeliveryOption

CENT = Decimal("0.01")

# Condition names as the JSON API writes them, and the XML ProductCondition codes.
API_CONDITIONS: dict[Condition, str] = {
    Condition.NEW: "New",
    Condition.LIKE_NEW: "LikeNew",
    Condition.VERY_GOOD: "VeryGoodState",
    Condition.GOOD: "GoodState",
    Condition.AVERAGE: "AverageState",
    Condition.REFURBISHED: "Refurbished",
}
XML_CONDITION_CODES: dict[Condition, int] = {
    Condition.LIKE_NEW: 1,
    Condition.VERY_GOOD: 2,
    Condition.GOOD: 3,
    Condition.AVERAGE: 4,
    Condition.REFURBISHED: 5,
    Condition.NEW: 6,
}
_CONDITION_ALIASES = {
    **{name.lower(): cond for cond, name in API_CONDITIONS.items()},
    **{cond.value.replace("_", ""): cond for cond in Condition},
    **{str(code): cond for cond, code in XML_CONDITION_CODES.items()},
    "verygood": Condition.VERY_GOOD,
    "good": Condition.GOOD,
    "average": Condition.AVERAGE,
}

# API delivery-mode codes and the names an XML package uses for them, as two independent
# production integrations (a PrestaShop module, a Java ERP) map them (API.md).
XML_DELIVERY_NAMES: dict[str, str] = {
    "STD": "Standard",
    "TRK": "Tracked",
    "REG": "Registered",
    "MAG": "Relay",  # in-store pickup
    "REL": "MondialRelay",
    "SO1": "SoColissimo",
    "RCO": "RelaisColis",
    "RIM": "EnMagasin",  # immediate in-store pickup
    "TNT": "TNT",
    "LV1": "BigParcelEco",
    "LV2": "BigParcelStandard",
    "LV3": "BigParcelComfort",
    "EXP": "Express",
    "FST": "Fast",
}
DELIVERY_CODES_BY_XML_NAME = {name: code for code, name in XML_DELIVERY_NAMES.items()}


def money(value: object) -> Decimal:
    """An amount as an exact Decimal with two places; floats go through their shortest repr."""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)  # type: ignore[arg-type]


def rate(value: object) -> Decimal:
    """A percentage (VAT) with two places, so 20, 20.0 and "20.00" are one value."""
    return money(value)


def condition(value: str) -> Condition:
    """A condition from any of its spellings: catalog (like_new), API (LikeNew), XML code (1)."""
    key = str(value).strip().lower().replace("_", "").replace(" ", "")
    try:
        return _CONDITION_ALIASES[key]
    except KeyError:
        raise ValueError(f"unknown condition {value!r}") from None


def delivery(
    options: list[DeliveryOption] | tuple[DeliveryOption, ...],
) -> tuple[DeliveryOption, ...]:
    """Delivery options in normal form: sorted by mode code."""
    return tuple(sorted(options, key=lambda o: o.mode))


def delivery_option(mode: str, cost: object, additional_cost: object) -> DeliveryOption:
    code = DELIVERY_CODES_BY_XML_NAME.get(mode, mode).upper()
    return DeliveryOption(mode=code, cost=money(cost), additional_cost=money(additional_cost))
