"""Sources as data: what catalog.yaml declares (`Source`, `Ownership`), what a read gave (`Feed`).

A source feeds some offer fields (stock, price) from outside git. Who owns a field is said per
field and optionally per channel: the catalog's files, nobody (`unmanaged`), or a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

FED_FIELDS = ("stock", "price")  # the offer fields a source may feed
CATALOG = "catalog"
UNMANAGED = "unmanaged"


class Missing(StrEnum):
    """What an offer gets when the source does not list it."""

    KEEP = "keep"  # the offers file's value, else the live one
    ERROR = "error"
    ZERO = "zero"  # stock 0 (other fields keep)


@dataclass(frozen=True, slots=True)
class Source:
    """One feed declared in catalog.yaml `sources`."""

    name: str
    kind: str  # csv | json | url | sql
    location: str  # the file (relative to the catalog), the URL, or the env variable's name
    key: str
    columns: dict[str, str]  # catalog field -> column
    max_age: timedelta | None = None
    age_column: str | None = None
    missing: Missing = Missing.KEEP
    format: str | None = None  # url only: csv | json
    headers: dict[str, str] = field(default_factory=dict)  # url only: header -> env variable
    query: str = ""  # sql only

    @property
    def shown(self) -> str:
        """How messages and plans name where the data came from; never a secret."""
        if self.kind == "sql":
            return f"sql ({self.location})"
        if self.kind == "url":  # a query string may hold a token
            return self.location.split("?", 1)[0]
        return self.location


@dataclass(frozen=True, slots=True)
class Ownership:
    """Who owns each fed field: an owner per channel, else the default (catalog)."""

    defaults: dict[str, str] = field(default_factory=dict)  # field -> owner
    channels: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> channel -> owner

    def owner(self, name: str, channel: str) -> str:
        """`catalog`, `unmanaged` or a source's name."""
        return self.channels.get(name, {}).get(channel) or self.defaults.get(name, CATALOG)

    def owners(self) -> set[str]:
        named = set(self.defaults.values())
        for per_channel in self.channels.values():
            named |= set(per_channel.values())
        return named

    def sources(self) -> set[str]:
        return self.owners() - {CATALOG, UNMANAGED}


@dataclass(frozen=True, slots=True)
class Row:
    """The values one row of a feed gives an offer, and where it stands (a 1-based row: the
    file's line for CSV, the record's number for JSON and SQL)."""

    number: int
    values: dict[str, object]  # field -> normal-form value


@dataclass(frozen=True)
class Feed:
    """What one read of a source gave: rows by sku, and witnesses of what was read."""

    source: Source
    rows: dict[str, Row]
    fingerprint: str  # sha256 of the bytes (or rows) read
    modified: datetime | None = None  # the data's age, when known


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """What a plan records of a source it read: enough to tell later whether it moved on."""

    name: str
    where: str
    rows: int
    fingerprint: str  # of what was read
    values_fingerprint: str  # of the values the catalog's offers took from it
    modified: str | None = None  # ISO 8601
