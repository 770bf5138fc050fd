"""Offers in the sandbox's three forms: a JSON offer request, an XML <Offer>, a GET /offers item.

Each submission is read into a `draft` (flat dict of exact values, see rules.py), checked, then
written as an item, the shape the README documents for GET /offers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from reconciler.clock import aware
from reconciler.sandbox.codes import DELIVERY_CODES_BY_NAME, condition_name
from reconciler.sandbox.rules import (
    BAD_FORMAT,
    DELIVERY_NOT_CONFIGURED,
    OUT_OF_RANGE,
    P_CONDITION,
    P_DEA,
    P_DISCOUNT,
    P_ECO,
    P_END,
    P_NONE,
    P_PRICE,
    P_PROMO_TYPE,
    P_REFERENCE,
    P_SALES_REFERENCE,
    P_SHIPPING,
    P_SKU,
    P_START,
    P_STOCK,
    P_VAT,
    REQUIRED,
    decimal_of,
    fail,
    gtin_of,
    int_of,
)

OPERATION_TYPES = {"3": "Sales", "2": "FlashSale"}
UPSERT_FIELDS = (
    ("product", 1),
    ("condition", P_CONDITION),
    ("price", P_PRICE),
    ("quantity", P_STOCK),
    ("preparationTime", P_NONE),
    ("deliveryModes", P_SHIPPING),
)


def sku_of(value: Any) -> str:
    if value is None or value == "":
        raise fail(REQUIRED, P_SKU, "the seller reference is required")
    if not isinstance(value, str) or len(value) > 50:
        raise fail(BAD_FORMAT, P_SKU, "the seller reference is 1 to 50 characters")
    return value


def condition_of(value: Any) -> str:
    name = condition_name(str(value))
    if name is None:
        raise fail(BAD_FORMAT, P_CONDITION, f"unknown condition {value!r}")
    return name


def _required(data: dict[str, Any], key: str, prop: int) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise fail(REQUIRED, prop, f"{key} is required")
    return value


# -- JSON offer requests ---------------------------------------------------------------------
def draft_from_request(req: Any, existing: dict[str, Any] | None, full: bool) -> dict[str, Any]:
    """A draft from a JSON offer request; `full` (Upsert) needs every field, Update merges."""
    if not isinstance(req, dict):
        raise fail(BAD_FORMAT, P_NONE, "an offer request is a JSON object")
    draft = dict(existing or {}) if not full else {}
    draft["sku"] = sku_of(req.get("sellerExternalReference"))
    missing = [(k, p) for k, p in UPSERT_FIELDS if req.get(k) is None]
    if full and missing:
        names = ", ".join(k for k, _ in missing)
        raise fail(REQUIRED, missing[0][1], f"an Upsert carries every field; missing: {names}")
    draft.update(_request_fields(req))
    draft.setdefault("comment", "")
    return draft


def _request_fields(req: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "product" in req:
        product = req["product"] if isinstance(req["product"], dict) else {}
        fields["gtin"] = gtin_of(product.get("gtin"))
    if "condition" in req:
        fields["condition"] = condition_of(req["condition"])
    if "price" in req:
        price = req["price"] if isinstance(req["price"], dict) else {"price": req["price"]}
        fields["price"] = _number(_required(price, "price", P_PRICE), P_PRICE, "price")
        if "taxes" in price:
            fields.update(taxes_of(price["taxes"]))
        elif "vat" not in fields:
            raise fail(REQUIRED, P_VAT, "price.taxes is required (at least VAT)")
    if "quantity" in req:
        fields["quantity"] = _whole(req["quantity"], P_STOCK, "quantity")
    if "preparationTime" in req:
        fields["preparation_days"] = _whole(
            req["preparationTime"], P_NONE, "preparationTime", error=OUT_OF_RANGE
        )
    if "deliveryModes" in req:
        fields["delivery"] = [_json_delivery(m) for m in _list(req["deliveryModes"], P_SHIPPING)]
    return fields


def taxes_of(taxes: Any) -> dict[str, Decimal]:
    """VAT in percent, eco part and DEA amounts; {"code": "vat", "type": "Rate", "value": 0.2}
    (one client's encoding) is read as 20 %."""
    found = {"vat": None, "eco_tax": Decimal(0), "dea_tax": Decimal(0)}
    for tax in _list(taxes, P_VAT):
        if not isinstance(tax, dict):
            raise fail(BAD_FORMAT, P_VAT, "a tax is an object {code, value}")
        name = str(tax.get("code", "")).lower().replace("-", "").replace("_", "")
        value = _number(tax.get("value"), P_VAT, f"tax {tax.get('code')}", places=4)
        if name == "vat":
            rate_type = str(tax.get("type", "")).lower()
            found["vat"] = value * 100 if rate_type == "rate" and value <= 1 else value
        elif name in ("ecotax", "ecopart", "eco"):
            found["eco_tax"] = _number(value, P_ECO, "Ecotax")
        elif name in ("dea", "deatax"):
            found["dea_tax"] = _number(value, P_DEA, "DEA")
        else:
            raise fail(BAD_FORMAT, P_VAT, f"unknown tax code {tax.get('code')!r}")
    if found["vat"] is None:
        raise fail(REQUIRED, P_VAT, "the VAT tax is required")
    return found  # type: ignore[return-value]


def _json_delivery(mode: Any) -> dict[str, Any]:
    if not isinstance(mode, dict) or not mode.get("code"):
        raise fail(REQUIRED, P_SHIPPING, "a delivery mode is {code, cost, additionalCost}")
    return {
        "code": str(mode["code"]),
        "cost": _number(mode.get("cost", 0), P_SHIPPING, "cost"),
        "additionalCost": _number(mode.get("additionalCost", 0), P_SHIPPING, "additionalCost"),
    }


def _number(value: Any, prop: int, name: str, places: int | None = 2) -> Decimal:
    """JSON amounts are JSON numbers; "19.99" as a string is a format error, as in the API."""
    if isinstance(value, str):
        raise fail(BAD_FORMAT, prop, f"{name}: a JSON number is expected, got the string {value!r}")
    return decimal_of(value, prop, name, places)


def _whole(value: Any, prop: int, name: str, error: int = BAD_FORMAT) -> int:
    if isinstance(value, str):
        raise fail(error, prop, f"{name}: a JSON number is expected, got the string {value!r}")
    return int_of(value, prop, name, error)


def _list(value: Any, prop: int) -> list:
    if not isinstance(value, list):
        raise fail(BAD_FORMAT, prop, "a list is expected")
    return value


# -- XML <Offer> elements, read by xml.py into {"attrs", "shipping", "discounts"} -----------
def draft_from_xml(raw: dict[str, Any], existing: dict[str, Any] | None, full: bool):
    attrs = raw["attrs"]
    sku = sku_of(attrs.get("SellerProductId"))
    gtin = gtin_of(attrs.get("ProductEan"))
    if not full:  # StockAndPrice: only price and stock, on an offer that exists
        draft = dict(existing or {}, sku=sku, gtin=gtin)
        if attrs.get("Price") not in (None, ""):
            draft["price"] = decimal_of(attrs["Price"], P_PRICE, "Price")
        if attrs.get("Stock") not in (None, ""):
            draft["quantity"] = int_of(attrs["Stock"], P_STOCK, "Stock")
        return draft
    draft = {
        "sku": sku,
        "gtin": gtin,
        "condition": condition_of(_required(attrs, "ProductCondition", P_CONDITION)),
        "price": decimal_of(_required(attrs, "Price", P_PRICE), P_PRICE, "Price"),
        "eco_tax": decimal_of(_required(attrs, "EcoPart", P_ECO), P_ECO, "EcoPart"),
        "dea_tax": decimal_of(_required(attrs, "DeaTax", P_DEA), P_DEA, "DeaTax"),
        "vat": decimal_of(_required(attrs, "Vat", P_VAT), P_VAT, "Vat"),
        "quantity": int_of(_required(attrs, "Stock", P_STOCK), P_STOCK, "Stock"),
        "preparation_days": int_of(
            _required(attrs, "PreparationTime", P_NONE), P_NONE, "PreparationTime", OUT_OF_RANGE
        ),
        "comment": attrs.get("Comment", ""),
        "delivery": [_xml_delivery(s) for s in raw["shipping"]],
        "operations": [_xml_discount(d) for d in raw["discounts"]],
    }
    if attrs.get("StrikedPrice") not in (None, ""):
        draft["striked_price"] = decimal_of(attrs["StrikedPrice"], P_REFERENCE, "StrikedPrice")
    if attrs.get("PriceMustBeAligned") not in (None, ""):
        align = attrs["PriceMustBeAligned"]
        if align not in ("Align", "DontAlign"):
            raise fail(BAD_FORMAT, P_PRICE, f"PriceMustBeAligned {align!r}: Align or DontAlign")
        floor = attrs.get("MinimumPriceForPriceAlignment")
        draft["alignment"] = {
            "align": align == "Align",
            "minimumPrice": decimal_of(floor, P_PRICE, "MinimumPrice") if floor else None,
        }
    if attrs.get("ProductPackagingUnit") not in (None, ""):
        value = decimal_of(attrs.get("ProductPackagingValue"), P_NONE, "ProductPackagingValue", 4)
        draft["packaging"] = {"unit": attrs["ProductPackagingUnit"], "value": value}
    return draft


def _xml_delivery(attrs: dict[str, str]) -> dict[str, Any]:
    name = attrs.get("DeliveryMode", "")
    code = DELIVERY_CODES_BY_NAME.get(name)
    if code is None:
        raise fail(DELIVERY_NOT_CONFIGURED, P_SHIPPING, f"unknown delivery mode {name!r}")
    return {
        "code": code,
        "cost": decimal_of(_required(attrs, "ShippingCharges", P_SHIPPING), P_SHIPPING, "cost"),
        "additionalCost": decimal_of(
            attrs.get("AdditionalShippingCharges", "0"), P_SHIPPING, "AdditionalShippingCharges"
        ),
    }


def _xml_discount(attrs: dict[str, str]) -> dict[str, Any]:
    kind = OPERATION_TYPES.get(attrs.get("Type", ""))
    if kind is None:
        raise fail(
            BAD_FORMAT, P_PROMO_TYPE, f"DiscountComponent Type {attrs.get('Type')!r}: 2 or 3"
        )
    if attrs.get("DiscountUnit", "1") != "1":
        raise fail(BAD_FORMAT, P_DISCOUNT, "DiscountUnit must be 1 (percent)")
    reference = attrs.get("SalesReferencePrice")
    return {
        "type": kind,
        "percent": int_of(_required(attrs, "DiscountValue", P_DISCOUNT), P_DISCOUNT, "Discount"),
        "reference": decimal_of(reference, P_SALES_REFERENCE, "SalesReferencePrice")
        if reference and kind == "Sales"
        else None,
        "start": _date(_required(attrs, "StartDate", P_START), P_START),
        "end": _date(_required(attrs, "EndDate", P_END), P_END),
    }


def _date(text: str, prop: int) -> datetime:
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        raise fail(BAD_FORMAT, prop, f"date {text!r}: YYYY-MM-DDThh:mm:ss expected") from None


# -- GET /offers items -----------------------------------------------------------------------
def item_from_draft(
    draft: dict[str, Any], channel: str, seller_id: int, created_at: str, updated_at: str
) -> dict[str, Any]:
    price = draft["price"]
    alignment = draft.get("alignment")
    return {
        "offerId": f"{seller_id}_{draft['gtin']}_{draft['condition']}_{channel}",
        "sellerExternalReference": draft["sku"],
        "salesChannelId": channel,
        "offerState": "Active" if draft["quantity"] > 0 else "Inactive",
        "createdAt": created_at,
        "updatedAt": updated_at,
        "product": {"gtin": draft["gtin"], "reference": draft["gtin"]},
        "condition": draft["condition"],
        "integrationPrice": {"price": price},
        "facialPrice": {"price": price},
        "quantity": draft["quantity"],
        "taxes": [
            {"code": "VAT", "value": draft["vat"]},
            {"code": "Ecotax", "value": draft["eco_tax"]},
            {"code": "DEA", "value": draft["dea_tax"]},
        ],
        "deliveryModes": sorted(draft["delivery"], key=lambda m: m["code"]),
        "preparationTime": draft["preparation_days"],
        "strikedPrice": {"price": draft["striked_price"]} if draft.get("striked_price") else None,
        "comment": draft.get("comment", ""),
        "priceAlignment": alignment,
        "packaging": draft.get("packaging"),
        "commercialOperations": [_item_operation(op) for op in draft.get("operations", ())],
    }


def _item_operation(op: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": op["type"],
        "discountPercent": op["percent"],
        "salesReferencePrice": op.get("reference"),
        "startDate": op["start"].isoformat(),
        "endDate": op["end"].isoformat(),
    }


def draft_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """The draft of a stored offer, so an Update or a StockAndPrice can change part of it."""
    taxes = {t["code"]: Decimal(t["value"]) for t in item.get("taxes", [])}
    striked = item.get("strikedPrice")
    return {
        "sku": item["sellerExternalReference"],
        "gtin": item["product"]["gtin"],
        "condition": item["condition"],
        "price": Decimal(item["integrationPrice"]["price"]),
        "quantity": int(item["quantity"]),
        "vat": taxes.get("VAT", Decimal(0)),
        "eco_tax": taxes.get("Ecotax", Decimal(0)),
        "dea_tax": taxes.get("DEA", Decimal(0)),
        "delivery": [
            {
                "code": m["code"],
                "cost": Decimal(m["cost"]),
                "additionalCost": Decimal(m["additionalCost"]),
            }
            for m in item.get("deliveryModes", [])
        ],
        "preparation_days": int(item.get("preparationTime", 1)),
        "striked_price": Decimal(striked["price"]) if striked else None,
        "comment": item.get("comment", ""),
        "alignment": item.get("priceAlignment"),
        "packaging": item.get("packaging"),
        "operations": [
            {
                "type": op["type"],
                "percent": int(op["discountPercent"]),
                "reference": op.get("salesReferencePrice"),
                "start": datetime.fromisoformat(op["startDate"]),
                "end": datetime.fromisoformat(op["endDate"]),
            }
            for op in item.get("commercialOperations", [])
        ],
    }
