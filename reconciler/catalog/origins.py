"""Where each (channel, sku) of a catalog is declared: `Catalog.origins`.

A warm load reads 100,000 items back from the parse cache, and almost no run asks where one of
them is declared (a located problem, the Omnibus check's offers on sale, `import`). So a file read
back keeps its places as the entry gives them (line, column and index of each item, in arrays),
and a `Location` is made only when one is asked for; a parsed file's places are Locations, kept
by key. A map of 200,000 keys and 100,000 Locations built on every load cost about a sixth of a
warm load and ~200 MB at a million offers.

The keys of a file read back are not stored twice: they are those of its offers in `offers` (a
read-back file declares exactly one offer per key, and the loader adds its places only once
every check passed). So a key is here when it was placed, or its offer is in `offers` without
a place. Only the loader adds to it; the rest of the tool reads it as a Mapping.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from reconciler.errors import Location

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ReadBack:
    """The places of one file's items, read back from the parse cache."""

    file: str
    skus: list[str]
    indexes: array  # the item's index in the file's `offers` list
    lines: array
    columns: array

    def place(self, item: int) -> Location:
        return Location(
            self.file, self.lines[item], self.columns[item], f"offers[{self.indexes[item]}]"
        )


class Origins(MutableMapping[Key, Location]):
    """(channel, sku) -> where declared; places of files read back are made when asked."""

    def __init__(self, offers: Mapping[Key, Any]) -> None:
        self._offers = offers  # the catalog's offers: the keys of the files read back
        self._placed: dict[Key, Location] = {}
        self._read: list[ReadBack] = []
        self._starts: list[int] = []  # the number of the first item of each file read back
        self._items = 0
        self._index: dict[str, int] = {}  # sku -> item number, built when a place is asked
        self._indexed = 0  # files read back in _index

    def read_back(self, read: ReadBack, placed: Iterable[tuple[Key, int]] = ()) -> None:
        """The places of a file read back, whose offers are in `offers` already. `placed`:
        keys of it (with their item) whose sku an earlier file declares too, kept as Locations,
        so that a sku's place read back is that of one file only."""
        for key, item in placed:
            self._placed[key] = read.place(item)
        self._read.append(read)
        self._starts.append(self._items)
        self._items += len(read.skus)

    def isdisjoint(self, keys: Iterable[Key]) -> bool:
        """No key of `keys` declared yet (in C: a warm load asks it of 200,000 keys)."""
        keys = list(keys)
        return self._offers.keys().isdisjoint(keys) and self._placed.keys().isdisjoint(keys)

    def place_of(self, sku: str) -> Location | None:
        """Where a file read back declares `sku` (the first one that does); None if none does."""
        for number in range(self._indexed, len(self._read)):  # files read back since last asked
            read, start = self._read[number], self._starts[number]
            fresh = zip(read.skus, range(start, start + len(read.skus)))  # noqa: B905
            self._index.update((sku, n) for sku, n in fresh if sku not in self._index)
            self._indexed = number + 1
        item = self._index.get(sku)
        if item is None:
            return None
        number = bisect_right(self._starts, item) - 1
        return self._read[number].place(item - self._starts[number])

    def __getitem__(self, key: Key) -> Location:
        found = self._placed.get(key)
        if found is not None:
            return found
        if key in self._offers:
            place = self.place_of(key[1])
            if place is not None:
                return place
        raise KeyError(key)

    def setdefault(self, key: Key, default: Location) -> Location:  # type: ignore[override]
        found = self._placed.get(key)
        if found is not None:
            return found
        if key in self._offers:
            return self[key]
        self._placed[key] = default
        return default

    def __setitem__(self, key: Key, value: Location) -> None:
        self._placed[key] = value

    def __delitem__(self, key: Key) -> None:
        del self._placed[key]  # a place read back is never taken back: its file is whole

    def __contains__(self, key: object) -> bool:
        return key in self._placed or key in self._offers

    def __iter__(self) -> Iterator[Key]:
        yield from self._offers
        placed = self._placed
        yield from (key for key in placed if key not in self._offers)

    def __len__(self) -> int:
        return len(self._offers) + sum(1 for key in self._placed if key not in self._offers)

    def __repr__(self) -> str:
        return f"Origins({dict(self.items())!r})"


def arrays(*columns: list[Any]) -> Iterator[array]:
    """Columns of small whole numbers as arrays (4 bytes each instead of a Python int);
    TypeError/OverflowError on anything else."""
    return map(array, repeat("i"), columns)
