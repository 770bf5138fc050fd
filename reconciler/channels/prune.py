"""Removing old packages from the store: the marketplace fetched them long ago.

Only a store that can list its packages (s3) is pruned; an http-put store is cleaned by the
storage's own lifecycle rules (README, "Package stores"). A package an interrupted apply left
pending in the journal is kept, whatever its age: the marketplace may not have fetched it yet.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from reconciler.channels.s3_store import S3Store, StoredPackage
from reconciler.channels.store import OfferPackageStore
from reconciler.errors import ReconcilerError


def old_packages(
    store: OfferPackageStore, before: datetime, pending: Collection[str] = ()
) -> list[StoredPackage]:
    """The store's packages last written before `before`, less the pending ones."""
    if not isinstance(store, S3Store):
        raise ReconcilerError(
            "this package store cannot list its packages: remove old ones with the storage's "
            "lifecycle rules (README, 'Package stores')"
        )
    return [
        package
        for package in store.packages()
        if package.modified < before and package.name.removesuffix(".zip") not in pending
    ]
