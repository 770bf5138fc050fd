"""What an import writes for the fields the marketplace did not return: never an invented value.

A live offer states only the fields whose node came back (`Offer.unknown` names the others).
Those the catalog needs (taxes, preparation, delivery, stock) come from defaults the user
gives: a catalog folder's catalog.yaml `defaults`, or `--default FIELD=VALUE`; without one the
import stops and says which. The XML-only fields and the operations are left out of the
written catalog (nothing to copy). `Provenance` says what came from where.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from reconciler.catalog.model import XML_ONLY_FIELDS, Offer
from reconciler.catalog.resolve import normal_fields
from reconciler.importing.source import ImportUsage

# Fields an offer of the catalog must state; taken from given defaults when not returned.
FILLED = ("stock", "vat", "eco_tax", "dea_tax", "preparation_days", "delivery")
LEFT_OUT = {**{name: None for name in XML_ONLY_FIELDS}, "comment": "", "discounts": ()}
LEFT_OUT_NAMES = (*XML_ONLY_FIELDS, "discounts")


@dataclass
class Provenance:
    returned: list[str] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)  # field -> where its value came from
    left_out: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"from the marketplace: {', '.join(self.returned)}"]
        if self.given:
            given = ", ".join(f"{name} ({where})" for name, where in self.given.items())
            out.append(f"not returned, from the defaults you gave: {given}")
        if self.left_out:
            out.append(
                f"not returned, left out of the catalog: {', '.join(self.left_out)}"
                + (" (no operations imported)" if "discounts" in self.left_out else "")
            )
        return out


def given_defaults(
    catalog_yaml: Path | None, options: tuple[str, ...]
) -> tuple[dict[str, object], dict[str, str]]:
    """Normal-form defaults from catalog.yaml, then `--default FIELD=VALUE` (which win)."""
    raw: dict[str, object] = {}
    where: dict[str, str] = {}
    if catalog_yaml is not None and catalog_yaml.is_file():
        data = yaml.safe_load(catalog_yaml.read_text(encoding="utf-8")) or {}
        for name, value in (data.get("defaults") or {}).items():
            raw[name], where[name] = value, "catalog.yaml defaults"
    for option in options:
        name, sep, text = option.partition("=")
        if not sep or name not in FILLED:
            raise ImportUsage(f"--default {option!r}: write FIELD=VALUE, FIELD one of {FILLED}")
        raw[name], where[name] = yaml.safe_load(text), "--default"
    try:
        values = normal_fields({k: v for k, v in raw.items() if k in FILLED})
    except (KeyError, TypeError, ValueError, ArithmeticError) as err:
        raise ImportUsage(f"a default given is not a valid value: {err}") from None
    return values, {k: where[k] for k in values}


def fill_unknown(
    live: Mapping[tuple[str, str], Offer],
    defaults: Mapping[str, object],
    where: Mapping[str, str],
) -> tuple[dict[tuple[str, str], Offer], Provenance]:
    """The live offers with every not-returned field given or left out, and what came whence."""
    unknown = frozenset().union(*(o.unknown for o in live.values())) if live else frozenset()
    needed = [name for name in FILLED if name in unknown]
    missing = [name for name in needed if name not in defaults]
    if missing:
        raise ImportUsage(
            f"the marketplace did not return {', '.join(missing)}: give them with "
            f"--default FIELD=VALUE (e.g. --default vat=20) or from a catalog folder whose "
            f"catalog.yaml has defaults; nothing is invented"
        )
    provenance = Provenance(
        returned=[n for n in ("gtin", "price", "condition", *FILLED) if n not in unknown],
        given={name: where[name] for name in needed},
        left_out=[name for name in LEFT_OUT_NAMES if name in unknown],
    )
    filled = {}
    for key, offer in live.items():
        if offer.unknown:
            values = {
                name: defaults[name] if name in FILLED else LEFT_OUT[name] for name in offer.unknown
            }
            offer = replace(offer, **values, unknown=frozenset())
        filled[key] = offer
    return filled, provenance
