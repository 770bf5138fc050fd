"""Every name the marketplace's answers and our requests use, with the aliases the evidence
allows (shared/octopia/API.md). The only module that knows how the API spells things.

Reading is by *folded* name: key case and underscores are ignored, so `PackageId`, `packageId`
and `package_id` are one name. Writing uses the first (documented) spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def fold(name: str) -> str:
    """A wire name without case or underscores: the form names are compared in."""
    return name.replace("_", "").lower()


def find(node: Any, *names: str) -> Any:
    """The value of the first of `names` present (and not null) in a JSON object, any case."""
    if node.__class__ is not dict and not isinstance(node, Mapping):
        return None
    for name in names:  # the exact spelling first: the common case costs one lookup
        value = node.get(name)
        if value is not None:
            return value
    wanted = [fold(n) for n in names]
    folded = {fold(k): v for k, v in node.items() if isinstance(k, str) and v is not None}
    for name in wanted:
        if name in folded:
            return folded[name]
    return None


# -- GET /offers items -------------------------------------------------------------------------
SKU = "sellerExternalReference"
CHANNEL_ID = "salesChannelId"
OFFER_ID = "offerId"
OFFER_STATE = "offerState"
CREATED_AT = "createdAt"
UPDATED_AT = "updatedAt"
PRODUCT = "product"
GTIN = "gtin"
CONDITION = "condition"
INTEGRATION_PRICE = "integrationPrice"
PRICE = "price"
QUANTITY = "quantity"
TAXES = "taxes"
DELIVERY_MODES = "deliveryModes"
PREPARATION_TIME = "preparationTime"
STRIKED_PRICE = "strikedPrice"
COMMENT = ("comment", "comments")  # the changelog names `comments` among Cdiscount's nodes
PRICE_ALIGNMENT = "priceAlignment"
PACKAGING = "packaging"
COMMERCIAL_OPERATIONS = "commercialOperations"

# The top-level node each catalog field is read from; the first name is the one written.
OFFER_FIELD_NODES: dict[str, tuple[str, ...]] = {
    "gtin": (PRODUCT,),
    "price": (INTEGRATION_PRICE,),
    "stock": (QUANTITY,),
    "condition": (CONDITION,),
    "vat": (TAXES,),
    "eco_tax": (TAXES,),
    "dea_tax": (TAXES,),
    "preparation_days": (PREPARATION_TIME,),
    "delivery": (DELIVERY_MODES,),
    "comment": COMMENT,
    "striked_price": (STRIKED_PRICE,),
    "price_alignment": (PRICE_ALIGNMENT,),
    "packaging": (PACKAGING,),
    "discounts": (COMMERCIAL_OPERATIONS,),
}
# The nodes every item must have whatever is compared: an offer is known by them.
REQUIRED_NODES = (SKU, PRODUCT, INTEGRATION_PRICE, CONDITION)


def offer_nodes(fields: frozenset[str] | set[str]) -> str:
    """The `fields=` value of GET /offers that returns the catalog fields `fields`: the nodes
    every offer needs, then each field's nodes under every alias (the answer may use any)."""
    nodes = dict.fromkeys(REQUIRED_NODES)
    for name, aliases in OFFER_FIELD_NODES.items():
        if name in fields:
            nodes.update(dict.fromkeys(aliases))
    return ",".join(nodes)


def fields_of(nodes: str) -> frozenset[str]:
    """The catalog fields an answer trimmed to `nodes` (a `fields=` value) can state."""
    asked = {fold(n) for n in nodes.split(",")}
    return frozenset(f for f, aliases in OFFER_FIELD_NODES.items() if fold(aliases[0]) in asked)


# How a reviewer reads where a field came from (doctor's read-back table).
OFFER_FIELD_PATHS: dict[str, str] = {
    "sku": SKU,
    "gtin": "product.gtin",
    "price": "integrationPrice.price",
    "stock": QUANTITY,
    "condition": CONDITION,
    "vat": "taxes[VAT]",
    "eco_tax": "taxes[Ecotax]",
    "dea_tax": "taxes[DEA]",
    "preparation_days": PREPARATION_TIME,
    "delivery": DELIVERY_MODES,
    "comment": "comment",
    "striked_price": "strikedPrice.price",
    "price_alignment": PRICE_ALIGNMENT,
    "packaging": PACKAGING,
    "discounts": COMMERCIAL_OPERATIONS,
}

# Tax codes (folded), JSON: VAT and Ecotax documented; DEA's real name is not known yet.
TAX_VAT = "VAT"
TAX_ECO = "Ecotax"
TAX_DEA = "DEA"
TAX_CODE_ALIASES = {
    "vat": "vat",
    "ecotax": "eco_tax",
    "ecopart": "eco_tax",
    "dea": "dea_tax",
    "deatax": "dea_tax",
}
TAX_CODE = "code"
TAX_TYPE = "type"
TAX_VALUE = "value"
TAX_TYPE_RATE = "rate"  # one client's VAT as a fraction: 0.2 for 20 %

DELIVERY_CODE = "code"
DELIVERY_COST = "cost"
DELIVERY_ADDITIONAL_COST = "additionalCost"

# -- JSON offer packages -----------------------------------------------------------------------
PACKAGE_TYPE = "packageType"
STATE = "state"
RESULT = "result"
RESULT_CODE = "resultCode"
MESSAGE = "message"
RESULTS = "results"
INTEGRATION_STATUS = "integrationStatus"
OFFER_REQUESTS_COUNT = "offerRequestsCount"
ID = "id"
ITEMS = "items"

# -- XML integration log (GET /offer-integration-packages/{id}): the REST shape is not
# documented; these are the v2 names we assume, then the SOAP-era and the old generated
# client's spellings (folded, so PascalCase, camelCase and snake_case all match).
PACKAGE_ID = ("packageId", "id", "PackageId", "package_id")
LOG_STATE = (
    "state",
    "status",
    "packageState",
    "PackageIntegrationStatus",
    "integration_state",
    "integrationStatus",
)
LOG_LINES = ("offers", "items", "offerLogs", "OfferLogList", "offer_log_paged_list")
LOG_LINE_SKU = ("sellerProductId", "sellerExternalReference", "SellerProductId")
LOG_LINE_STATUS = ("integrationStatus", "status", "OfferIntegrationStatus")
LOG_LINE_RESULTS = ("results", "resultCodes", "errors", "PropertyList", "property_list")
LOG_RESULT_CODE = ("resultCode", "code", "PropertyCode", "property_code")
LOG_RESULT_MESSAGE = ("message", "PropertyError", "property_error", "LogMessage")
LOG_PAGE_COUNT = ("pageCount",)
LOG_TOTAL = ("total_logs_count", "totalLogsCount")

# -- Referential ------------------------------------------------------------------------------
SUBSCRIPTION_CHANNEL = ("salesChannelId", "id", "code")
SUBSCRIPTION_STATE = ("status", "state")
SUBSCRIPTION_CURRENCY = ("currency", "currencyCode")
SUBSCRIPTION_NAME = ("name", "label")
DELIVERY_MODE_CODE = ("code",)
DELIVERY_MODE_NAME = ("name", "label")


def package_id(value: Any) -> str | None:
    """A package id as text, whether the answer typed it as an integer or a string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)) and str(value):
        return str(value)
    return None
