"""Whose shop to import: the settings of an existing catalog, or the ones given as options."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reconciler.catalog.model import (
    Catalog,
    Guards,
    ManagePolicy,
    MarketplaceSettings,
    SalesChannel,
    Submission,
)
from reconciler.errors import UsageError


class ImportUsage(UsageError):
    """A mistake in how `catalog import` was called."""


def sales_channels(specs: tuple[str, ...]) -> dict[str, SalesChannel]:
    """Channels written NAME=ID:xml or NAME=ID:json (cdiscount=CDISFR:xml)."""
    channels = {}
    for spec in specs:
        name, _, rest = spec.partition("=")
        channel_id, _, submission = rest.partition(":")
        if not name or not channel_id or submission not in ("xml", "json"):
            raise ImportUsage(f"--sales-channel {spec!r}: write NAME=ID:xml or NAME=ID:json")
        channels[name] = SalesChannel(name, channel_id, Submission(submission))
    return channels


def settings_from_options(
    root: Path,
    seller_id: int | None,
    specs: tuple[str, ...],
    marketplace: dict[str, str | None],
) -> Catalog:
    """Settings without a catalog folder; `root` is where an embedded sandbox keeps its shop."""
    if seller_id is None or not specs:
        raise ImportUsage(
            "say whose shop to import: a catalog folder, or --seller-id and --sales-channel"
        )
    return Catalog(
        root=str(root),
        seller_id=seller_id,
        marketplace=MarketplaceSettings(**{k: v for k, v in marketplace.items() if v}),
        channels=sales_channels(specs),
        manage=ManagePolicy.LISTED,
        guards=Guards(),
        package_store=None,
        offers={},
    )


def only_channels(settings: Catalog, names: tuple[str, ...]) -> Catalog:
    """The settings narrowed to the channels named (all of them when none is)."""
    unknown = sorted(set(names) - set(settings.channels))
    if unknown:
        known = ", ".join(sorted(settings.channels))
        raise ImportUsage(f"unknown channel(s) {', '.join(unknown)}; known: {known}")
    if not names:
        return settings
    return replace(settings, channels={n: settings.channels[n] for n in sorted(set(names))})
