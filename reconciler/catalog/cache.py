"""The parse cache: what an offers file resolves to, kept in `.catalog/cache/` by content hash.

An unchanged offers file is not parsed, checked or resolved again: its resolved offers, tags,
places and warnings are read back from one entry. An entry's name is a hash of everything its
content depends on (the file's bytes, catalog.yaml's bytes, the tool's own catalog code and
schemas), so a changed file, settings or tool simply finds no entry.

The folder is input like any other (it can arrive with a pull request or a CI cache), so an
entry is plain data (orjson, never pickle) and signed with a key kept outside the catalog
(`~/.cache/catalog-reconciler/cache.key`, or under `$XDG_CACHE_HOME`, or the CATALOG_CACHE_KEY
secret): an entry that is corrupt,
truncated, written by another machine or planted in the catalog is ignored, and the file is
parsed as if there were no cache. A file with an error is never cached: its problems are found
again, with their exact places.

With sources (stock, prices from feeds) an entry keeps the offers as the files give them, never
a fed value: the feeds change every hour, the files seldom. Each load merges the feeds into the
offers read back, as a parse does; a fed value breaking a rule sends its file to a parse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import orjson

# The codec lived here first: reconciler.marketplace.snapshot still imports it from here.
from reconciler.catalog.codec import OfferCodec, decode_problem, encode_problem
from reconciler.errors import Problem
from reconciler.state import StateFolder, StateFolderUnusable

FORMAT = b"catalog-parse-cache 1"
_INSTALL = Path(__file__).resolve().parent.parent  # the reconciler package
_SIGNATURE = 32  # bytes of blake2b keyed digest in front of each entry


@cache
def tool_digest() -> bytes:
    """What a cached result depends on besides the files: this version of the catalog code
    (resolve, rules, normal form) and the schemas."""
    from reconciler.catalog import schema

    digest = hashlib.blake2b(FORMAT, digest_size=32)
    # the sources' code too: an entry of a fed catalog is merged with the feeds by it
    code = Path(__file__).parent.glob("*.py")
    fed = (_INSTALL / "sources").glob("*.py")
    for source in sorted(code) + sorted(fed):
        with open(source, "rb") as code:  # noqa: PTH123
            digest.update(source.name.encode() + b"\0" + code.read())
    for name in schema.SCHEMA_NAMES:
        digest.update(json.dumps(schema.schema(name), sort_keys=True).encode())
    return digest.digest()


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "catalog-reconciler" / "cache.key"


@cache
def _signing_key() -> bytes | None:
    """This machine's key (made on first use); None when it cannot be kept: no cache then.

    CATALOG_CACHE_KEY (a CI secret) gives it instead of the file: for a CI whose cache can only
    hold paths inside the checkout, where a key file could arrive with a merge request.
    """
    given = os.environ.get("CATALOG_CACHE_KEY")
    if given:
        return hashlib.blake2b(given.encode(), digest_size=32).digest()
    path = _key_file()
    try:
        with open(path, "rb") as kept:  # noqa: PTH123
            key = kept.read()
    except FileNotFoundError:
        key = b""
    except OSError:
        return None
    if len(key) == 32:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        os.replace(temporary, path)
        with open(path, "rb") as kept:  # noqa: PTH123 - another process may have won the race
            key = kept.read()
    except OSError:
        return None
    return key if len(key) == 32 else None


class SignedStore:
    """Entries of plain data in `.catalog/cache/`, each signed with this machine's key."""

    def __init__(self, folder: Path | None, key: bytes | None):
        self.folder = folder if key is not None else None
        self.key = key

    @classmethod
    def of(cls, root: str | Path) -> SignedStore:
        """The store of the catalog at `root`; a disabled one when it cannot be kept."""
        key = None if os.environ.get("CATALOG_NO_CACHE") else _signing_key()
        folder = None
        if Path(root).resolve().is_relative_to(_INSTALL):
            key = None  # the demo shipped inside the package: nothing is written into the install
        if key is not None:
            try:
                folder = StateFolder(root).cache
            except (StateFolderUnusable, OSError):
                folder = None
        return cls(folder, key)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def get(self, name: str) -> Any:
        if self.folder is None or self.key is None:
            return None
        try:
            with open(self.folder / name, "rb") as entry:  # noqa: PTH123 - not a catalog file
                raw = entry.read()
        except OSError:
            return None
        body = raw[_SIGNATURE:]
        if not hmac.compare_digest(raw[:_SIGNATURE], self._sign(name, body)):
            return None  # corrupt, foreign or planted: work it out instead
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return None

    def put(self, name: str, entry: Any) -> None:
        if self.folder is None or self.key is None:
            return
        body = orjson.dumps(entry)
        temporary = self.folder / f".{name}.{os.getpid()}"
        try:
            temporary.write_bytes(self._sign(name, body) + body)
            os.replace(temporary, self.folder / name)
        except OSError:
            temporary.unlink(missing_ok=True)

    def _sign(self, name: str, body: bytes) -> bytes:
        assert self.key is not None
        return hashlib.blake2b(name.encode() + b"\0" + body, digest_size=32, key=self.key).digest()


class ParseCache(SignedStore):
    """The parse cache of one catalog, for one catalog.yaml (offers resolve against it)."""

    def __init__(self, folder: Path | None, key: bytes | None, settings: bytes):
        super().__init__(folder, key)
        self.context = hashlib.blake2b(tool_digest() + settings, digest_size=32).digest()

    @classmethod
    def of(cls, root: str | Path, settings: bytes) -> ParseCache:  # type: ignore[override]
        """The cache of the catalog at `root` whose catalog.yaml holds `settings`."""
        store = SignedStore.of(root)
        return cls(store.folder, store.key, settings)

    def name_of(self, content: bytes) -> str:
        return hashlib.blake2b(content, digest_size=32, key=self.context).hexdigest()

    def get(self, name: str) -> dict[str, Any] | None:
        entry = super().get(name)
        return entry if isinstance(entry, dict) else None

    def get_problems(self, name: str, files: list[str]) -> list[Problem] | None:
        """Problems kept by `put_problems`, their files given by number in `files`."""
        entry = super().get(name)
        if not isinstance(entry, list):
            return None
        try:
            return [decode_problem(row, files) for row in entry]
        except (TypeError, ValueError, IndexError):
            return None

    def put_problems(self, name: str, problems: list[Problem], files: list[str]) -> None:
        rows = [encode_problem(p, {file: i for i, file in enumerate(files)}) for p in problems]
        if None not in rows:  # a problem elsewhere than in `files`: found again next time
            super().put(name, rows)


__all__ = ["OfferCodec", "ParseCache", "SignedStore", "decode_problem", "encode_problem"]
