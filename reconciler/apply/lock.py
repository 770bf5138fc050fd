"""One apply at a time per catalog: an exclusive lock on `.catalog/apply.lock` (filelock).

Two applies of one catalog would both read the live offers, both send the same packages, and
the marketplace would integrate every offer twice. The lock is held from before the journal is
read until the last package is followed; the second apply stops at once, nothing sent.
It guards one machine (one working copy); CI runners are kept apart by a concurrency group.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from reconciler.errors import CatalogBusy
from reconciler.state import StateFolder


@contextmanager
def catalog_lock(root: str | Path) -> Iterator[None]:
    """Hold the catalog's apply lock, or raise CatalogBusy (exit 75) without waiting."""
    path = StateFolder(root).lock
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise CatalogBusy(
            f"another catalog apply is running on {Path(root)} (it holds {path.name}): "
            "nothing was sent. Wait for it to end, then run again: the next plan starts from "
            "what it did."
        ) from None
    try:
        yield
    finally:
        lock.release()
