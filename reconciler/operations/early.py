"""The price history read on a second core while the catalog loads.

`validate` loads the catalog, then asks git for the old versions of the offers files on sale.
Most of that second part needs no offer: which versions fall in a sale's window (the operations
files say when the sales start), their texts (git), their cut into items and whether they parse.
So a forked process does it during the load; once the load knows which skus are on sale, it
reads their prices from the versions it holds and hands them over.

It only reads ahead: the check itself runs as without it, with what was handed over taken as
read (the same reader, on the same blobs: a blob never changes). Whatever the early process did
not read (it guessed the sales from operations files that turn out invalid, it failed, it was
not started) is read by the check, as before. It is started only where a fork is safe: on
Linux, in a process running no other thread (as the catalog's parallel fill asks).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import orjson

from reconciler import clock
from reconciler.catalog.cache import SignedStore
from reconciler.catalog.files import catalog_files
from reconciler.catalog.load import load_yaml
from reconciler.operations.discounts import instant
from reconciler.operations.history import PriceHistory, Version
from reconciler.operations.omnibus import in_window

ANSWER_WAIT = 120  # seconds; far beyond a read ahead of the largest history measured (~1 s)


class ReadAhead:
    """The early process, from the parent's side."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection):
        self.process = process
        self.conn = conn
        self.asked = False

    def prices(self, wanted: dict[Path, frozenset[str]]) -> object:
        """The prices of the skus `wanted` in each offers file, in the versions read ahead,
        as PriceHistory.known gives them ({} when the early process could not give them)."""
        self.asked = True
        try:
            self.conn.send_bytes(orjson.dumps({str(p): sorted(s) for p, s in wanted.items()}))
            if not self.conn.poll(ANSWER_WAIT):  # stuck: the check reads for itself
                return {}
            return orjson.loads(self.conn.recv_bytes())
        except (OSError, EOFError, ValueError):
            return {}

    def close(self) -> None:
        self.conn.close()  # waiting for the skus, it ends at once
        self.process.join(2 if self.asked else 0.05)  # asked: it is writing the cache
        if self.process.is_alive():  # still reading what nobody will ask for
            self.process.terminate()
            self.process.join()


@contextlib.contextmanager
def read_ahead(root: str | Path, now: datetime) -> Iterator[ReadAhead | None]:
    """Within the block, the history of the catalog at `root` is read ahead (None where a
    fork is not safe)."""
    if sys.platform != "linux" or not _alone():
        yield None
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    for stream in (sys.stdout, sys.stderr):  # what is buffered is written once, by the parent
        with contextlib.suppress(Exception):
            stream.flush()
    process = context.Process(target=_early, args=(Path(root), now, theirs, ours), daemon=True)
    try:
        process.start()
    except OSError:
        yield None
        return
    theirs.close()
    ahead = ReadAhead(process, ours)
    try:
        yield ahead
    finally:
        ahead.close()


def _alone() -> bool:
    """Whether this process runs no other thread: one might hold a lock the fork would copy."""
    return threading.active_count() == 1


def _early(root: Path, now: datetime, conn: Connection, parents: Connection) -> None:
    """In the early process: read the versions ahead, then the prices asked."""
    parents.close()  # the parent's end, inherited: open here, it would hide the parent's close
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it ends this one
    try:
        # a catalog folder in a git repository first: nothing is written anywhere else
        files = catalog_files(root)
        if files.settings is None or files.problems:
            return
        history = PriceHistory(root, SignedStore(None, None))
        history.store = SignedStore.of(root)
        sales = _sales(files.operations, now)
        if not sales:  # no sale running: the check reads no history
            return
        windows = _windows(history, files.offers, [start for start, _, _ in sales])
        for versions in windows.values():
            history.fetch(versions)
        named = frozenset(s for _, skus, _ in sales for s in skus)
        guess = history.read_items_ahead(named, frozenset(t for _, _, tags in sales for t in tags))
        history.keep_later()
        for versions in windows.values():  # a read for more skus serves any fewer
            history.prices(versions, guess)
        wanted = orjson.loads(conn.recv_bytes())
        blobs: list[str] = []
        for path, versions in windows.items():
            skus = wanted.get(str(path))
            if skus is not None:
                if not guess.issuperset(skus):  # the guess missed some: read for them
                    history.prices(versions, frozenset(skus))
                blobs += [v.blob for v in versions]
        conn.send_bytes(orjson.dumps(history.known(blobs)))
        history.keep_now()
    except Exception:  # noqa: BLE001 - whatever it is, the check reads what it needs itself
        pass


def _windows(
    history: PriceHistory, offers: list[Path], starts: list[datetime]
) -> dict[Path, list[Version]]:
    """The versions of each offers file the check will want: those in effect in the 30 days
    before a sale still running (less the working file)."""
    found: dict[Path, list[Version]] = {}
    for path in offers:
        working = history.working_blob(path)
        versions = history.versions(path)
        chosen = {v.blob: v for start in set(starts) for v in in_window(versions, start)}
        found[path.resolve()] = [v for b, v in chosen.items() if b and b != working]
    return found


def _sales(paths: list[Path], now: datetime) -> list[tuple[datetime, list[str], list[str]]]:
    """The sales still running at `now` as the operations files give them: when each starts,
    the skus and tags it names. A guess from unchecked files: a wrong one costs time, never a
    price (whatever is odd is no sale here)."""
    sales = []
    for path in paths:
        data = load_yaml(path, str(path)).data
        listed = data.get("operations") if isinstance(data, dict) else None
        for raw in listed if isinstance(listed, list) else []:
            with contextlib.suppress(Exception):
                if raw["kind"] == "sales" and instant(clock.moment(raw["end"])) > instant(now):
                    chosen = raw.get("offers") or {}
                    sales.append(
                        (
                            instant(clock.moment(raw["start"])),
                            [str(s) for s in chosen.get("skus") or ()],
                            [str(t) for t in chosen.get("tags") or ()],
                        )
                    )
    return sales
