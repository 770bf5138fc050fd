"""The sandbox's state in SQLite, so a plan in one process and an apply in the next see one market.

One connection per thread (the event loop reads, the integration worker writes) over a WAL
journal, so a listing never waits for an integration to finish writing.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (gtin TEXT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL, sku TEXT NOT NULL, gtin TEXT NOT NULL, offer_id TEXT NOT NULL,
    quantity INTEGER NOT NULL, updated_at TEXT NOT NULL, item TEXT NOT NULL,
    UNIQUE (channel, sku));
-- Pages of GET /offers walk a channel in seq order: without this index every page sorts it all.
CREATE INDEX IF NOT EXISTS offers_by_channel_seq ON offers (channel, seq);
CREATE INDEX IF NOT EXISTS offers_by_gtin ON offers (channel, gtin);
CREATE TABLE IF NOT EXISTS packages (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, channel TEXT NOT NULL, package_type TEXT NOT NULL,
    state TEXT NOT NULL, created_at TEXT NOT NULL, due REAL, name TEXT NOT NULL DEFAULT '',
    purge INTEGER NOT NULL DEFAULT 0, pools TEXT NOT NULL DEFAULT '[]',
    url TEXT NOT NULL DEFAULT '', result TEXT, request_count INTEGER NOT NULL DEFAULT 0,
    conflicts TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS package_offers (
    package_id TEXT NOT NULL, seq INTEGER NOT NULL, sku TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (package_id, seq));
CREATE TABLE IF NOT EXISTS results (
    package_id TEXT NOT NULL, seq INTEGER NOT NULL, sku TEXT NOT NULL, gtin TEXT NOT NULL,
    status TEXT NOT NULL, results TEXT NOT NULL, PRIMARY KEY (package_id, seq));
"""
PENDING_STATES = ("Ready", "IntegrationPending", "Downloading")
BLOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class Store:
    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.blob_dir = self.state_dir / "blobs"
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / "sandbox.sqlite3"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self.write() as db:
            db.executescript(SCHEMA)

    # -- connections -------------------------------------------------------------------------
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        conn = self.db()
        with conn:  # one transaction, committed or rolled back
            yield conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def reset(self) -> None:
        with self.write() as db:
            for table in ("products", "offers", "packages", "package_offers", "results"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        for blob in self.blob_dir.iterdir():
            blob.unlink()

    # -- products ----------------------------------------------------------------------------
    def add_products(self, products: Iterable[tuple[str, str]]) -> int:
        rows = list(products)
        with self.write() as db:
            db.executemany("INSERT OR REPLACE INTO products (gtin, title) VALUES (?, ?)", rows)
        return len(rows)

    def known_gtins(self, gtins: Iterable[str]) -> set[str]:
        wanted = list(set(gtins))
        found: set[str] = set()
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db().execute(f"SELECT gtin FROM products WHERE gtin IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    # -- offers ------------------------------------------------------------------------------
    def offers_by_sku(self, channel: str, skus: Iterable[str]) -> dict[str, str]:
        """The stored item JSON of these offers, by sku (absent ones are left out)."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(set(skus)), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db().execute(
                f"SELECT sku, item FROM offers WHERE channel = ? AND sku IN ({marks})",
                [channel, *chunk],
            )
            found.update(rows)
        return found

    def channel_skus(self, channel: str) -> set[str]:
        rows = self.db().execute("SELECT sku FROM offers WHERE channel = ?", (channel,))
        return {r[0] for r in rows}

    def save_offers(self, channel: str, rows: list[tuple[str, str, str, int, str, str]]) -> None:
        """Insert or replace offers: rows of (sku, gtin, offer_id, quantity, updated_at, item)."""
        with self.write() as db:
            db.executemany(
                "INSERT INTO offers (channel, sku, gtin, offer_id, quantity, updated_at, item)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, sku) DO UPDATE SET"
                " gtin = excluded.gtin, offer_id = excluded.offer_id,"
                " quantity = excluded.quantity, updated_at = excluded.updated_at,"
                " item = excluded.item",
                [(channel, *row) for row in rows],
            )

    def delete_offers(self, channel: str, skus: Iterable[str]) -> None:
        with self.write() as db:
            db.executemany(
                "DELETE FROM offers WHERE channel = ? AND sku = ?", [(channel, s) for s in skus]
            )

    def list_offers(
        self, channel: str, after: int, limit: int, filters: dict[str, Any]
    ) -> list[tuple[int, str]]:
        """A page of (seq, item JSON) after the cursor `after`, in a stable order."""
        where, args = ["channel = ?", "seq > ?"], [channel, after]
        for column, key in (("sku", "skus"), ("gtin", "gtins"), ("offer_id", "offer_ids")):
            values = filters.get(key)
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        states = filters.get("states")
        if states and len(states) == 1:
            where.append("quantity > 0" if "Active" in states else "quantity <= 0")
        if filters.get("updated_min"):
            where.append("updated_at >= ?")
            args.append(filters["updated_min"])
        sql = f"SELECT seq, item FROM offers WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        return self.db().execute(sql, [*args, limit]).fetchall()

    # -- packages ----------------------------------------------------------------------------
    def create_package(self, **values: Any) -> None:
        names = ",".join(values)
        with self.write() as db:
            db.execute(
                f"INSERT INTO packages ({names}) VALUES ({','.join('?' * len(values))})",
                list(values.values()),
            )

    def package(self, package_id: str) -> dict[str, Any] | None:
        cur = self.db().execute("SELECT * FROM packages WHERE id = ?", (package_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def list_packages(
        self, kind: str, channel: str | None, states: list[str], after: int, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """A page of (rowid, package) after the cursor `after`, oldest first."""
        where, args = ["kind = ?", "rowid > ?"], [kind, after]
        if channel:
            where.append("channel = ?")
            args.append(channel)
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args.extend(states)
        cur = self.db().execute(
            f"SELECT rowid, * FROM packages WHERE {' AND '.join(where)} ORDER BY rowid LIMIT ?",
            [*args, limit],
        )
        names = [d[0] for d in cur.description][1:]
        return [(row[0], dict(zip(names, row[1:], strict=True))) for row in cur.fetchall()]

    def update_package(self, package_id: str, **values: Any) -> None:
        sets = ",".join(f"{name} = ?" for name in values)
        with self.write() as db:
            db.execute(f"UPDATE packages SET {sets} WHERE id = ?", [*values.values(), package_id])

    def add_package_offers(self, package_id: str, offers: list[tuple[str, str]]) -> int:
        """Append (sku, body) requests to a package; returns the package's new request count."""
        with self.write() as db:
            (count,) = db.execute(
                "SELECT request_count FROM packages WHERE id = ?", (package_id,)
            ).fetchone()
            db.executemany(
                "INSERT INTO package_offers (package_id, seq, sku, body) VALUES (?, ?, ?, ?)",
                [(package_id, count + i, sku, body) for i, (sku, body) in enumerate(offers)],
            )
            total = count + len(offers)
            db.execute("UPDATE packages SET request_count = ? WHERE id = ?", (total, package_id))
        return total

    def package_offers(self, package_id: str) -> list[tuple[str, str]]:
        return (
            self.db()
            .execute(
                "SELECT sku, body FROM package_offers WHERE package_id = ? ORDER BY seq",
                (package_id,),
            )
            .fetchall()
        )

    def package_skus(self, package_id: str) -> set[str]:
        rows = self.db().execute(
            "SELECT sku FROM package_offers WHERE package_id = ?", (package_id,)
        )
        return {r[0] for r in rows}

    def due_packages(self, now: float) -> list[tuple[str, str]]:
        """(id, state) of the packages whose next step is due, oldest first."""
        return (
            self.db()
            .execute(
                "SELECT id, state FROM packages WHERE state IN ('Ready', 'IntegrationPending')"
                " AND due <= ? ORDER BY due",
                (now,),
            )
            .fetchall()
        )

    def packages_in_state(self, state: str) -> list[str]:
        rows = self.db().execute("SELECT id FROM packages WHERE state = ?", (state,))
        return [r[0] for r in rows]

    def pending_skus(self, channel: str, except_id: str) -> set[str]:
        """Skus in other packages of this channel that are submitted and not yet integrated."""
        rows = self.db().execute(
            "SELECT DISTINCT o.sku FROM package_offers o JOIN packages p ON p.id = o.package_id"
            " WHERE p.channel = ? AND p.id != ? AND p.state IN ('Ready', 'IntegrationPending')",
            (channel, except_id),
        )
        return {r[0] for r in rows}

    def submissions(self) -> list[tuple]:
        """Every offer request ever received, in arrival order, with its package and its fate:
        rows of (channel, sku, package id, kind, package state, status or None)."""
        return (
            self.db()
            .execute(
                "SELECT p.channel, o.sku, p.id, p.kind, p.state, r.status"
                " FROM package_offers o JOIN packages p ON p.id = o.package_id"
                " LEFT JOIN results r ON r.package_id = o.package_id AND r.seq = o.seq"
                " ORDER BY p.rowid, o.seq"
            )
            .fetchall()
        )

    def save_results(self, package_id: str, rows: list[tuple[str, str, str, str]]) -> None:
        """Per-offer results, rows of (sku, gtin, status, results JSON), in package order."""
        with self.write() as db:
            db.execute("DELETE FROM results WHERE package_id = ?", (package_id,))
            db.executemany(
                "INSERT INTO results (package_id, seq, sku, gtin, status, results)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(package_id, i, *row) for i, row in enumerate(rows)],
            )

    def results_page(self, package_id: str, after: int, limit: int) -> list[tuple]:
        return (
            self.db()
            .execute(
                "SELECT seq, sku, gtin, status, results FROM results"
                " WHERE package_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (package_id, after, limit),
            )
            .fetchall()
        )

    def result_counts(self, package_id: str) -> dict[str, int]:
        rows = self.db().execute(
            "SELECT status, COUNT(*) FROM results WHERE package_id = ? GROUP BY status",
            (package_id,),
        )
        return dict(rows.fetchall())

    # -- blobs: the seller's storage bucket for XML packages ---------------------------------
    def blob_path(self, name: str) -> Path | None:
        return self.blob_dir / name if BLOB_NAME.match(name) else None


def _chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
