"""The sandbox's own reading of the marketplace's code tables (API.md), kept apart from the
client's: a wrong mapping in the client must not be hidden by the same mapping here."""

from __future__ import annotations

# JSON condition names, and the XML ProductCondition codes that stand for them.
CONDITIONS = ("New", "LikeNew", "VeryGoodState", "GoodState", "AverageState", "Refurbished")
XML_CONDITIONS = {
    "1": "LikeNew",
    "2": "VeryGoodState",
    "3": "GoodState",
    "4": "AverageState",
    "5": "Refurbished",
    "6": "New",
}
_CONDITION_KEYS = {name.lower(): name for name in CONDITIONS}

# XML DeliveryMode names by API code (a PrestaShop module and a Java ERP agree on these).
DELIVERY_NAMES = {
    "STD": "Standard",
    "TRK": "Tracked",
    "REG": "Registered",
    "MAG": "Relay",
    "REL": "MondialRelay",
    "SO1": "SoColissimo",
    "RCO": "RelaisColis",
    "RIM": "EnMagasin",
    "TNT": "TNT",
    "LV1": "BigParcelEco",
    "LV2": "BigParcelStandard",
    "LV3": "BigParcelComfort",
    "EXP": "Express",
    "FST": "Fast",
}
DELIVERY_CODES_BY_NAME = {name: code for code, name in DELIVERY_NAMES.items()}


def condition_name(value: str) -> str | None:
    """The JSON name of a condition given by name (any case) or XML code; None if unknown."""
    text = str(value).strip()
    return XML_CONDITIONS.get(text) or _CONDITION_KEYS.get(text.lower())
