"""The price history of offers, read from the git history of their offers files.

Git runs as a subprocess (`git log --follow --raw` for the commits of a file, their dates and
blob ids, `git cat-file --batch` to read many versions in one process), each version read for
the offers on sale only, an offer once whatever the number of versions holding it
(reconciler.operations.old_versions). A blob never changes, so the prices of a version are kept
by blob id in the catalog's cache (`.catalog/cache/`, signed: see reconciler.catalog.cache),
with the skus they were read for, and a blob is read once, ever, for those offers; the walk of
a file's history is kept by HEAD's commit (and where a shallow clone is cut), so an hourly run
on an unchanged HEAD asks git for nothing but HEAD.

The history may not reach far enough back (a shallow clone, a young repository): `reaches`
says from when it is complete, so the Omnibus check says what it could not see.
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from reconciler import collector
from reconciler.catalog.cache import FORMAT, SignedStore
from reconciler.operations.old_versions import VersionReader, prices_in

__all__ = ["NotARepository", "PriceHistory", "Prices", "Version", "price_for", "prices_in"]


class NotARepository(Exception):
    """The catalog folder is not inside a git work tree, has no commit, or git is not installed."""

    def __init__(self, message: str, no_git: bool = False, no_commit: bool = False):
        super().__init__(message)
        self.no_git = no_git
        self.no_commit = no_commit


@dataclass(frozen=True, slots=True)
class Version:
    """One commit of an offers file: its date and the file's path at that commit."""

    commit: str
    date: datetime  # the committer date: when the change reached the branch
    path: str  # relative to the top of the repository
    blob: str = ""  # the file's git blob id at that commit


class PriceHistory:
    """The versions of offers files in one git repository, and the prices each version holds."""

    def __init__(self, folder: str | Path, store: SignedStore | None = None):
        try:
            top, head, shallow, cut = _git(Path(folder), *_HEAD).splitlines()
        except NotARepository:
            _git(Path(folder), "rev-parse", "--show-toplevel")  # not a repository: raises
            raise NotARepository("no commit yet", no_commit=True) from None
        self.top, self.head, self.shallow = Path(top), head, shallow == "true"
        # What the walks are kept by: HEAD, and where a shallow clone is cut (a deepened clone
        # has the same HEAD and more history: what was kept of the shallow one is not used).
        self.state = head if not self.shallow else f"{head} {_cut_digest(Path(folder) / cut)}"
        self.store = store or SignedStore(None, None)
        self._versions: dict[Path, tuple[Version, ...]] = {}
        # prices by blob id (or commit:path), with the skus they were read for (None: all)
        self._prices: dict[str, tuple[frozenset[str] | None, Prices]] = {}
        self._reader = VersionReader()
        self._reaches: datetime | None = None
        self._working: dict[Path, str] = {}
        self._texts: dict[str, str] = {}  # versions fetched ahead (see `fetch`), by blob id
        # entries to write to the cache later (see `keep_later`); None: written at once
        self._later: list[tuple[str, object]] | None = None
        # the versions in a sale's window with their prices, by (file, start): see omnibus
        self.windows: dict[tuple[str, datetime], list[tuple[Version, Prices]]] = {}
        # the skus on sale by offers file (as origins name it): what old versions are read for
        self.wanted: dict[str, frozenset[str]] = {}

    def reaches(self) -> datetime:
        """The date of the oldest commit git has here: the history is complete from then on.

        In a shallow clone that is where the clone was cut; in a full one, the first commit.
        """
        if self._reaches is None:
            name = _entry_name("roots", self.state)
            dates = self.store.get(name)
            if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
                out = _git(self.top, "log", "--max-parents=0", "--format=%cI", "HEAD")
                dates = out.split()
                self.store.put(name, dates)
            self._reaches = min(datetime.fromisoformat(d) for d in dates)
        return self._reaches

    def working_blob(self, file: Path) -> str:
        """The blob id of the file as it is in the work tree now ("" when unreadable)."""
        if file not in self._working:
            try:
                self._working[file] = blob_id(file.read_bytes())
            except OSError:
                self._working[file] = ""
        return self._working[file]

    def versions(self, file: Path) -> tuple[Version, ...]:
        """The commits of `file`, oldest first, following renames."""
        if file in self._versions:
            return self._versions[file]
        file = file.resolve()
        if file not in self._versions:
            self._versions[file] = self._log(file)
        return self._versions[file]

    def prices(self, versions: list[Version], skus: frozenset[str] | None = None) -> list[Prices]:
        """For each version, its prices (see `price_for`), of `skus` only when given (else of
        every offer); the versions not known yet are read together, in one git process."""
        missing = {}
        for version in versions:
            key = version.blob or f"{version.commit}:{version.path}"
            if not self._covers(key, skus) and not self._stored(key, skus):
                missing.setdefault(key, version)
        if missing:
            with collector.paused():
                texts = self._read(list(missing.values()))
                for (key, version), text in zip(missing.items(), texts, strict=True):
                    found = {
                        f"{c}\x1f{s}": p for (c, s), p in self._reader.read(text, skus).items()
                    }
                    self._prices[key] = (skus, found)
                    if version.blob:
                        kept = {k: str(p) for k, p in found.items()}
                        read_for = None if skus is None else sorted(skus)
                        self._keep(_price_entry(version.blob), [read_for, kept])
        return [self._prices[v.blob or f"{v.commit}:{v.path}"][1] for v in versions]

    def fetch(self, versions: list[Version]) -> list[str]:
        """Read ahead the texts of those of `versions` (with a blob id) that no entry of the
        cache holds, in one git process, and prepare them for the reader; returns them."""
        todo = {}
        for version in versions:
            key = version.blob
            if (
                len(key) == 40
                and key not in self._texts
                and self.store.get(_price_entry(key)) is None
            ):
                todo.setdefault(key, version)
        texts = self._read(list(todo.values())) if todo else []
        for key, text in zip(todo, texts, strict=True):
            self._texts[key] = text
            self._reader.prepare(text)
        return texts

    def read_items_ahead(self, skus: frozenset[str], words: frozenset[str]) -> frozenset[str]:
        """Read the prices of the items of the versions fetched that are likely wanted (see
        VersionReader.read_items_ahead); returns the skus guessed."""
        with collector.paused():
            return self._reader.read_items_ahead(skus, words)

    def known(self, blobs: list[str]) -> dict[str, object]:
        """The prices of `blobs` read (or taken from the cache) by this history, as plain data:
        {"for": [skus read for, ...], "blobs": {blob: [its place in "for" (-1: every sku),
        {"channel\x1fsku": price text}]}} (the skus of a read are written once for all
        the versions read with them)."""
        places: dict[frozenset[str], int] = {}
        found: dict[str, list[object]] = {}
        for blob in blobs:
            if blob in self._prices:
                read_for, prices = self._prices[blob]
                place = -1 if read_for is None else places.setdefault(read_for, len(places))
                found[blob] = [place, {k: str(p) for k, p in prices.items()}]
        return {"for": [sorted(skus) for skus in places], "blobs": found}

    def adopt(self, known: object) -> None:
        """Prices of blobs read by another process with this module (`known` there; see
        reconciler.operations.early): as if read here. Anything not as `known` gives it is
        left out (then read here)."""
        if not isinstance(known, dict):
            return
        sets, found = known.get("for"), known.get("blobs")
        if not isinstance(sets, list) or not isinstance(found, dict):
            return
        read_for = [
            frozenset(skus) if isinstance(skus, list) and set(map(type, skus)) <= {str} else None
            for skus in sets
        ]
        for blob, entry in found.items():
            if not (isinstance(entry, list) and len(entry) == 2 and type(entry[0]) is int):
                continue
            (place, prices), every = entry, entry[0] == -1
            skus = None if every or not 0 <= place < len(sets) else read_for[place]
            usable = len(blob) == 40 and isinstance(prices, dict) and (every or skus is not None)
            if usable and not self._covers(blob, skus):
                self._prices[blob] = (skus, prices)

    def keep_later(self) -> None:
        """Hold the cache's new entries until `keep_now` (what another process waits for is
        handed over first)."""
        self._later = []

    def keep_now(self) -> None:
        for name, entry in self._later or ():
            self.store.put(name, entry)
        self._later = None

    def _keep(self, name: str, entry: object) -> None:
        if self._later is None:
            self.store.put(name, entry)
        else:
            self._later.append((name, entry))

    def _covers(self, key: str, skus: frozenset[str] | None) -> bool:
        known = self._prices.get(key)
        return known is not None and (known[0] is None or (skus is not None and skus <= known[0]))

    def _stored(self, blob: str, skus: frozenset[str] | None) -> bool:
        """Prices of a blob from the cache, if read for these skus: texts, made Decimal only
        when looked up. An entry that is not as written here is not used."""
        kept = self.store.get(_price_entry(blob)) if len(blob) == 40 else None
        return self._take(blob, kept) and self._covers(blob, skus)

    def _take(self, blob: str, kept: object) -> bool:
        """Take the prices of a blob as the cache keeps them, if they are as written here."""
        if not (isinstance(kept, list) and len(kept) == 2 and isinstance(kept[1], dict)):
            return False
        read_for, found = kept
        if read_for is not None:
            if not isinstance(read_for, list) or not set(map(type, read_for)) <= {str}:
                return False
            read_for = frozenset(read_for)
        self._prices[blob] = (read_for, found)
        return True

    def _log(self, file: Path) -> tuple[Version, ...]:
        try:
            relative = file.relative_to(self.top.resolve())
        except ValueError:
            return ()
        name = _entry_name("log", f"{self.state} {relative.as_posix()}")
        kept = self.store.get(name)
        if isinstance(kept, list):
            with contextlib.suppress(ValueError, TypeError):
                return tuple(Version(c, datetime.fromisoformat(d), p, b) for c, d, p, b in kept)
        # quotePath off: an offers file named été.yaml is listed as such, not octal-escaped.
        # Topological order, newest first: commits made within the same second stay in the
        # order they were made (their dates cannot tell).
        out = _git(
            self.top,
            *("-c", "core.quotePath=false", "log", "--follow", "--topo-order"),
            *("--format=%x1e%H %cI", "--raw", "--no-abbrev", "--", str(relative)),
        )
        versions = []
        for chunk in out.split("\x1e")[1:]:
            head, *changes = [line for line in chunk.splitlines() if line.strip()]
            commit, date = head.split(" ", 1)
            if changes:  # a merge commit names no path; its parents' versions count
                status, *paths = changes[-1].split("\t")
                blob = status.split()[3]
                if set(blob) != {"0"}:  # "0000...": the file was deleted by that commit
                    versions.append(Version(commit, datetime.fromisoformat(date), paths[-1], blob))
        versions.reverse()
        self.store.put(name, [[v.commit, v.date.isoformat(), v.path, v.blob] for v in versions])
        return tuple(versions)

    def _read(self, versions: list[Version]) -> list[str]:
        if all(v.blob in self._texts for v in versions):
            return [self._texts[v.blob] for v in versions]
        wanted = "".join(f"{v.blob or f'{v.commit}:{v.path}'}\n" for v in versions).encode()
        out = _run(self.top, ["git", "cat-file", "--batch"], wanted)
        texts, at = [], 0
        for _ in versions:
            header_end = out.index(b"\n", at)
            header = out[at:header_end].split()
            if len(header) < 3 or header[1] != b"blob":  # "<rev> missing"
                texts.append("")
                at = header_end + 1
                continue
            size = int(header[2])
            texts.append(out[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace"))
            at = header_end + 1 + size + 1
        return texts


_HEAD = ("rev-parse", "--show-toplevel", "HEAD", "--is-shallow-repository", "--git-path", "shallow")


def _cut_digest(shallow: Path) -> str:
    """A digest of a shallow clone's cut (the commits it stops at): it moves when deepened."""
    try:
        return hashlib.blake2b(shallow.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "unreadable"


def blob_id(content: bytes) -> str:
    """The id git gives a file of this content (so a working file is matched to its commits)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def _price_entry(blob: str) -> str:
    return _entry_name("prices", blob)


def _entry_name(kind: str, key: str) -> str:
    return "git-" + hashlib.blake2b(FORMAT + f"|{kind}|{key}".encode(), digest_size=20).hexdigest()


Prices = dict[str, "Decimal | str"]  # "channel\x1fsku" ("" channel: every channel) -> price


def price_for(prices: Prices, channel: str, sku: str) -> Decimal | None:
    found = prices.get(f"{channel}\x1f{sku}")
    if found is None:
        found = prices.get(f"\x1f{sku}")
    if isinstance(found, str):
        try:
            return Decimal(found)
        except ArithmeticError:  # an entry of the cache that is no price: no price
            return None
    return found


def _git(folder: Path, *args: str) -> str:
    return _run(folder, ["git", *args]).decode("utf-8", "replace")


def _run(folder: Path, argv: list[str], given: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(argv, cwd=folder, input=given, capture_output=True, check=False)
    except FileNotFoundError as err:
        no_git = err.filename == argv[0]  # else the folder itself is gone
        raise NotARepository(f"{err.strerror}: {err.filename}", no_git=no_git) from None
    except NotADirectoryError as err:
        raise NotARepository(f"git cannot run in {folder}: {err}") from None
    if done.returncode != 0:
        raise NotARepository(
            done.stderr.decode("utf-8", "replace").strip() or f"git {argv[1]} failed"
        )
    return done.stdout
