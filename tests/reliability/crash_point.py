"""An apply in its own process that kills itself (SIGKILL) at a named point of its work.

python crash_point.py POINT BASE ROOT. Each point wraps one method of the product code in this
process only, so the product carries no test hook; the point is reached or the process ends
normally (and the test, seeing no SIGKILL, fails).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from apply_market import Market
from fault_shop import desired_catalog

from reconciler.apply.journal import Journal
from reconciler.apply.report import Progress
from reconciler.apply.run import ApplyOptions
from reconciler.apply.session import ApplyRequest, ApplySession
from reconciler.catalog.model import PackageStore
from reconciler.channels.json_channel import JsonChannel
from reconciler.channels.pacing import Pacing
from reconciler.channels.s3_store import S3Store
from reconciler.channels.store import HttpPutStore
from reconciler.channels.xml_channel import XmlChannel
from reconciler.marketplace.client import MarketplaceClient

QUICK = Pacing(first=0.02, factor=1.5, cap=0.1, timeout=30)
OPTIONS = ApplyOptions(pacing=QUICK, json_package_size=60, xml_package_size=40, upload_size=25)
S3_ENDPOINT = "CRASH_S3_ENDPOINT"  # set: packages go to bucket `shop` of this S3 server


def s3_store(endpoint_url: str) -> PackageStore:
    return PackageStore(
        "s3", bucket="shop", prefix="crash/", region="eu-west-3", endpoint_url=endpoint_url
    )


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def wrap(owner: type, name: str, before=None, after=None) -> None:
    """Call `before(*args)` / `after(result, *args)` around owner.name; either may die()."""
    original = getattr(owner, name)

    def wrapped(*args: Any, **kw: Any) -> Any:
        if before:
            before(*args, **kw)
        result = original(*args, **kw)
        if after:
            after(result, *args, **kw)
        return result

    setattr(owner, name, wrapped)


def nth(count: int, test: Callable[..., bool]) -> Callable[..., None]:
    """A callback that dies on the `count`-th call for which `test(*args)` is true."""
    seen = 0

    def check(*args: Any, **kw: Any) -> None:
        nonlocal seen
        if test(*args, **kw):
            seen += 1
            if seen == count:
                die()

    return check


def event_is(name: str) -> Callable[..., bool]:
    return lambda journal, event, **data: event == name


def call_is(method: str, suffix: str) -> Callable[..., bool]:
    return lambda client, m, path, **kw: m == method and str(path).endswith(suffix)


def after_call(method: str, suffix: str, count: int = 1) -> Callable[..., None]:
    check = nth(count, call_is(method, suffix))
    return lambda result, *args, **kw: check(*args, **kw)


def torn_journal_line(journal: Journal, event: str, **data: Any) -> None:
    """Half of the `ready` line reaches the disk, then the process dies."""
    if event != "ready":
        return
    with open(journal.path, "a", encoding="utf-8") as stream:
        stream.write(f'{{"event": "ready", "channel": "{data.get("channel")}", "pack')
        stream.flush()
        os.fsync(stream.fileno())
    die()


# point -> how to arm it
POINTS: dict[str, Callable[[], None]] = {
    "json-opened-not-journaled": lambda: wrap(Journal, "record", nth(1, event_is("opened"))),
    "json-mid-upload": lambda: wrap(
        MarketplaceClient, "call", after=after_call("POST", "/offer-requests", 2)
    ),
    "json-uploaded-before-ready": lambda: wrap(
        MarketplaceClient, "call", nth(1, call_is("PATCH", ""))
    ),
    "json-ready-not-journaled": lambda: wrap(
        MarketplaceClient, "call", after=after_call("PATCH", "")
    ),
    "journal-line-torn": lambda: wrap(Journal, "record", torn_journal_line),
    "json-polling": lambda: wrap(JsonChannel, "_state", nth(2, lambda *a, **k: True)),
    "json-reading-results": lambda: wrap(
        MarketplaceClient, "call", after=after_call("GET", "/offer-requests-results")
    ),
    "xml-published-not-journaled": lambda: [
        wrap(store, "publish", after=lambda *a, **k: die()) for store in (HttpPutStore, S3Store)
    ],
    "xml-journaled-before-post": lambda: wrap(
        MarketplaceClient, "call", nth(1, call_is("POST", "/offer-integration-packages"))
    ),
    "xml-posted-not-journaled": lambda: wrap(
        MarketplaceClient, "call", after=after_call("POST", "/offer-integration-packages", 1)
    ),
    "xml-polling": lambda: wrap(XmlChannel, "_get_log", nth(2, lambda *a, **k: True)),
    "between-channels": lambda: wrap(JsonChannel, "submit", nth(1, lambda *a, **k: True)),
    "after-a-package-finished": lambda: wrap(
        Journal, "record", after=lambda r, j, event, **d: event == "finished" and die()
    ),
}


def main(point: str, base: str, root: str) -> None:
    POINTS[point]()
    market = Market(base, Path(root))
    cat = desired_catalog(Path(root), market)
    if os.environ.get(S3_ENDPOINT):
        cat = replace(cat, package_store=s3_store(os.environ[S3_ENDPOINT]))
    with market.client() as client:
        session = ApplySession(cat, client, Progress(print), ApplyRequest(options=OPTIONS))
        session.apply(session.plan())


if __name__ == "__main__":
    main(*sys.argv[1:4])
