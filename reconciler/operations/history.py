"""The price history of offers, read from the git history of their offers files.

Git runs as a subprocess (`git log --follow` for the commits of a file and its dates,
`git cat-file --batch` to read many versions in one process); each version is parsed with
PyYAML's C loader when it is there, as every version of a large file is read.
"""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from reconciler.catalog.normal import money

try:
    _LOADER: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _LOADER = yaml.SafeLoader


class NotARepository(Exception):
    """The catalog folder is not inside a git work tree (or git is not installed)."""


@dataclass(frozen=True, slots=True)
class Version:
    """One commit of an offers file: its date and the file's path at that commit."""

    commit: str
    date: datetime  # the committer date: when the change reached the branch
    path: str  # relative to the top of the repository


class PriceHistory:
    """The versions of offers files in one git repository, and the prices each version holds."""

    def __init__(self, folder: str | Path):
        self.top = Path(_git(Path(folder), "rev-parse", "--show-toplevel").strip())
        self._versions: dict[Path, tuple[Version, ...]] = {}
        self._prices: dict[tuple[str, str], dict[tuple[str, str], Decimal]] = {}

    def versions(self, file: Path) -> tuple[Version, ...]:
        """The commits of `file`, oldest first, following renames."""
        file = file.resolve()
        if file not in self._versions:
            self._versions[file] = self._log(file)
        return self._versions[file]

    def prices(self, versions: list[Version]) -> list[dict[tuple[str, str], Decimal]]:
        """For each version, its prices by (channel, sku); read together in one git process."""
        missing = [v for v in versions if (v.commit, v.path) not in self._prices]
        if missing:
            for version, text in zip(missing, self._read(missing), strict=True):
                self._prices[(version.commit, version.path)] = prices_in(text)
        return [self._prices[(v.commit, v.path)] for v in versions]

    def _log(self, file: Path) -> tuple[Version, ...]:
        try:
            relative = file.relative_to(self.top.resolve())
        except ValueError:
            return ()
        # quotePath off: an offers file named été.yaml is listed as such, not octal-escaped
        out = _git(
            self.top,
            *("-c", "core.quotePath=false", "log", "--follow", "--format=%x1e%H %cI"),
            *("--name-only", "--", str(relative)),
        )
        versions = []
        for chunk in out.split("\x1e")[1:]:
            head, *paths = [line for line in chunk.splitlines() if line.strip()]
            commit, date = head.split(" ", 1)
            if paths:  # a merge commit names no path; its parents' versions count
                versions.append(Version(commit, datetime.fromisoformat(date), paths[-1]))
        return tuple(sorted(versions, key=lambda v: v.date))

    def _read(self, versions: list[Version]) -> list[str]:
        wanted = "".join(f"{v.commit}:{v.path}\n" for v in versions).encode()
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


def prices_in(text: str) -> dict[tuple[str, str], Decimal]:
    """The prices an offers file sets, by (channel, sku); a channel of "" is every channel.

    An old version that no longer parses simply holds no prices.
    """
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return {}
    entries = data.get("offers") if isinstance(data, dict) else None
    prices: dict[tuple[str, str], Decimal] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or "sku" not in entry:
            continue
        sku = str(entry["sku"])
        _put(prices, ("", sku), entry.get("price"))
        overrides = entry.get("overrides")
        for channel, fields in (overrides if isinstance(overrides, dict) else {}).items():
            if isinstance(fields, dict):
                _put(prices, (str(channel), sku), fields.get("price"))
    return prices


def price_for(prices: dict[tuple[str, str], Decimal], channel: str, sku: str) -> Decimal | None:
    return prices.get((channel, sku), prices.get(("", sku)))


def _put(prices: dict[tuple[str, str], Decimal], key: tuple[str, str], value: object) -> None:
    if value is None or isinstance(value, bool):
        return
    with contextlib.suppress(InvalidOperation, ValueError, TypeError):
        prices[key] = money(value)  # a price that was not a number then is no price


def _git(folder: Path, *args: str) -> str:
    return _run(folder, ["git", *args]).decode("utf-8", "replace")


def _run(folder: Path, argv: list[str], given: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(argv, cwd=folder, input=given, capture_output=True, check=False)
    except (FileNotFoundError, NotADirectoryError) as err:
        raise NotARepository(f"git cannot run in {folder}: {err}") from None
    if done.returncode != 0:
        raise NotARepository(
            done.stderr.decode("utf-8", "replace").strip() or f"git {argv[1]} failed"
        )
    return done.stdout
