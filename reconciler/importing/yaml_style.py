"""YAML as a seller writes it: block style, delivery options on one line, money as 19.99 or 5.

PyYAML's safe dumper, taught to write exact Decimals as plain numbers, `Inline` mappings and
lists in flow style, timestamps with their offset (`2027-01-07T08:00:00+01:00`), and repeated
values again rather than as anchors.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import yaml


class Inline(dict):
    """A mapping written on one line: {mode: TRK, cost: 4.90, additional_cost: 1}."""


class InlineList(list):
    """A list written on one line: [cdiscount, marketplace-zz]."""


def number(value: Decimal) -> str:
    """5 for a whole amount, 4.90 for cents, more places only when the value has them."""
    if value == value.to_integral_value():
        return str(int(value))
    if value.as_tuple().exponent >= -2:  # type: ignore[operator]
        return f"{value:.2f}"
    return format(value.normalize(), "f")


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = number(value)
    # "5" under the float tag would be written !!float '5': whole amounts go as YAML integers
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _inline(dumper: yaml.SafeDumper, value: Inline) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _inline_list(dumper: yaml.SafeDumper, value: InlineList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _timestamp(dumper: yaml.SafeDumper, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def seller_dumper(base: type) -> type:
    """A safe dumper on `base` (PyYAML's SafeDumper or the libyaml CSafeDumper) in our style."""

    class SellerDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: object) -> bool:
            return True  # a repeated delivery list is written again, never as &id001 / *id001

    SellerDumper.add_representer(Decimal, _decimal)
    SellerDumper.add_representer(Inline, _inline)
    SellerDumper.add_representer(InlineList, _inline_list)
    SellerDumper.add_representer(datetime, _timestamp)
    return SellerDumper


# libyaml's emitter when PyYAML has it: about five times faster on a large shop; the pure
# Python one writes the same text (both put a list's dashes under its key, not indented).
DUMPER = seller_dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def dump(document: dict, header: str = "", dumper: type = DUMPER) -> str:
    text = yaml.dump(
        document,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + text
