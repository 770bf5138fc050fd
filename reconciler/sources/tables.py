"""Bytes of a CSV or JSON export to records: (row number, {column: value}), with located problems.

CSV goes through the csv module: UTF-8 with or without BOM, the separator found from the header
line (`;`, tab, `,` or `|`: French exports use `;` because `,` is their decimal comma), quotes
as the dialect writes them. A file cut short (a row with fewer cells than the header, an open
quote at the end) is refused: it is what a copy interrupted half way looks like.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from reconciler.errors import Location, Problem

Record = tuple[int, dict[str, object]]
_SEPARATORS = (";", "\t", ",", "|")


class FeedUnusable(Exception):
    """A feed that cannot be read at all; carries its problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def unusable(where: str, message: str, line: int = 0, column: int = 0, name: str = "") -> Problem:
    return Problem(Location(where, line, column, name), message)


@dataclass
class Table:
    """The records of a feed and the columns its header (or first record) names."""

    columns: list[str]
    records: list[Record] = field(default_factory=list)
    positional: bool = False  # CSV: a cell is located by line and column


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FeedUnusable(
            [unusable(where, f"is not UTF-8 (byte 0x{data[err.start]:02x})", line)]
        ) from None


def read_csv(data: bytes, where: str) -> Table:
    text = decode(data, where)
    if not text.strip():
        raise FeedUnusable([unusable(where, "is empty: no header, no rows")])
    header_line = text.split("\n", 1)[0]
    separator = max(_SEPARATORS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        columns = [c.strip() for c in next(reader)]
        table = Table(columns, positional=True)
        records = table.records
        width = len(columns)
        for cells in reader:
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue  # a blank line says nothing
                _short_row(cells, width, reader.line_num, where)
            records.append((reader.line_num, dict(zip(columns, cells, strict=True))))
    except csv.Error as err:
        raise FeedUnusable(
            [unusable(where, f"cannot be read as CSV: {err}", reader.line_num)]
        ) from None
    _check_cut(text, table, where)
    return table


def _check_cut(text: str, table: Table, where: str) -> None:
    """A last row with an empty cell and no line end is a copy cut in its last value."""
    if not table.records or text.endswith(("\n", "\r")):
        return
    line, cells = table.records[-1]
    if any(not str(value).strip() for value in cells.values()):
        message = "ends in the middle of its last row (an empty cell, no line end): truncated"
        raise FeedUnusable([unusable(where, message, line)])


def _short_row(cells: list[str], width: int, line: int, where: str) -> None:
    message = (
        f"has {len(cells)} cell(s) where the header has {width}: a truncated or malformed export"
    )
    raise FeedUnusable([unusable(where, message, line)])


def read_json(data: bytes, where: str) -> Table:
    text = decode(data, where)
    if not text.strip():
        raise FeedUnusable([unusable(where, "is empty")])
    try:
        found = json.loads(text)
    except ValueError as err:
        line = getattr(err, "lineno", 0)
        raise FeedUnusable([unusable(where, f"is not JSON (truncated?): {err}", line)]) from None
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise FeedUnusable([unusable(where, "must hold a list of objects, one per sku")])
    columns = sorted({name for item in found for name in item})
    return Table(columns, list(enumerate(found, start=1)))


def records_of(rows: Iterator[dict[str, object]]) -> Table:
    """Database rows (mappings) as a table, numbered from 1."""
    records = list(enumerate(rows, start=1))
    columns = list(records[0][1]) if records else []
    return Table(columns, records)
