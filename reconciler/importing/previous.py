"""What a re-import (`catalog import --replace` over an existing catalog) keeps of it.

A seller's catalog is hand-written work: its file layout, tags, operation names, comments and
catalog.yaml. A re-import updates the values and keeps the rest where the offer or operation is
the same: catalog.yaml is left as written (offers are shaped against its defaults), each sku
stays in the file that declared it with its tags, an operation keeps its name, file and tag
selector, and an offers file whose offers did not change is not rewritten at all, so its
comments stay. What cannot be kept is listed (`Previous.lost`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from reconciler.catalog.load import load_yaml
from reconciler.catalog.model import Catalog, CommercialOperation, Offer
from reconciler.catalog.resolve import normal_fields
from reconciler.importing.operations import ImportedOperation
from reconciler.operations.discounts import instant
from reconciler.operations.selection import select


@dataclass
class Previous:
    catalog: Catalog
    defaults: dict[str, object]  # catalog.yaml's defaults, in normal form
    files: dict[str, str] = field(default_factory=dict)  # sku -> the offers file declaring it

    def __post_init__(self) -> None:
        for (_, sku), where in self.catalog.origins.items():
            self.files.setdefault(sku, self.relative(where.file))

    def relative(self, file: str) -> str:
        """A location's file as a path inside the catalog folder (offers/clothes.yaml)."""
        return Path(os.path.relpath(file, self.catalog.root)).as_posix()

    @classmethod
    def read(cls, catalog: Catalog) -> Previous:
        settings = load_yaml(Path(catalog.root) / "catalog.yaml", "catalog.yaml")
        data = settings.data if isinstance(settings.data, dict) else {}
        return cls(catalog, normal_fields(data.get("defaults") or {}))

    def text_of(self, path: str) -> str:
        """A file of the catalog as the seller wrote it."""
        return (Path(self.catalog.root) / path).read_text(encoding="utf-8")

    def header_of(self, path: str, default: str) -> str:
        """The comment lines a file opens with (a `$schema` line, a note), kept on rewrite."""
        file = Path(self.catalog.root) / path
        if not file.is_file():
            return default
        lines = []
        for line in file.read_text(encoding="utf-8").splitlines(keepends=True):
            if not line.lstrip().startswith("#"):
                break
            lines.append(line)
        return "".join(lines) or default

    def file_of(self, sku: str) -> str | None:
        """The offers file that declares `sku`, relative to the catalog folder."""
        return self.files.get(sku)

    def tags_of(self, sku: str) -> list[str]:
        return sorted(self.catalog.tags.get(sku, ()))

    def unchanged_files(self, live: Mapping[tuple[str, str], Offer]) -> set[str]:
        """Offers files whose every offer is live exactly as declared (operations aside), and
        whose skus have no live offer on another channel: these are kept byte for byte."""
        by_file: dict[str, set[tuple[str, str]]] = {}
        for key, where in self.catalog.origins.items():
            by_file.setdefault(self.relative(where.file), set()).add(key)
        kept = set()
        for name, keys in by_file.items():
            skus = {sku for _, sku in keys}
            live_keys = {key for key in live if key[1] in skus}
            if live_keys == keys and all(
                replace(live[key], discounts=()) == self.catalog.offers[key] for key in keys
            ):
                kept.add(name)
        return kept

    def operation_like(self, found: ImportedOperation) -> CommercialOperation | None:
        """The catalog's operation that `found` (read back from the marketplace) is."""
        for op in self.catalog.operations:
            if (
                op.channel == found.channel
                and op.kind is found.kind
                and instant(op.start) == instant(found.start)
                and instant(op.end) == instant(found.end)
                and op.discount_percent == found.discount_percent
                and op.reference_price == found.reference_price
            ):
                return op
        return None

    def operations_in(self, path: str) -> int:
        """How many operations the file at `path` declares."""
        return sum(
            1
            for op in self.catalog.operations
            if op.location and self.relative(op.location.file) == path
        )

    def tag_selector_holds(self, op: CommercialOperation, skus: tuple[str, ...]) -> bool:
        """Whether the operation's own selector still picks exactly these skus."""
        return tuple(o.sku for o in select(self.catalog, op).offers) == tuple(sorted(skus))
