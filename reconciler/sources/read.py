"""One source read and checked: its records become one `Row` per sku, or located problems.

Nothing is lost because a feed is bad: a missing, empty, truncated or unparsable export, data
older than `max_age`, a row whose value is wrong, a sku listed twice, each is an error that
stops the plan (exit 4) naming the file, row and column. Only what reading cannot judge (how
many offers a feed sets to 0) is left to the plan's guard `max_stock_zeroed_percent`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from reconciler.errors import Problem
from reconciler.sources.fetch import fetch
from reconciler.sources.model import Feed, Row, Source
from reconciler.sources.tables import FeedUnusable, Table, unusable
from reconciler.sources.values import PARSERS, BadValue, is_blank, moment

MAX_PROBLEMS = 20  # a feed with 10,000 bad rows says the first few and how many more


def read_source(source: Source, root: Path, now: datetime) -> Feed:
    """The feed of `source`; FeedUnusable with every problem found otherwise."""
    table, fingerprint, modified = fetch(source, root)
    where = source.shown
    _check_columns(source, table, where)
    if not table.records:
        raise FeedUnusable([unusable(where, "has no rows (header only): an empty export")])
    rows, newest, problems = _rows(source, table, where)
    if source.age_column:
        modified = newest
    age_problem = _too_old(source, modified, now)
    if age_problem:
        problems.insert(0, age_problem)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS] + [unusable(where, f"and {more} more problem(s)")]
        raise FeedUnusable(problems)
    return Feed(source, rows, fingerprint, modified)


def _check_columns(source: Source, table: Table, where: str) -> None:
    if not table.records and not table.columns:
        raise FeedUnusable([unusable(where, "has no rows: an empty export")])
    wanted = [source.key, *source.columns.values()]
    if source.age_column:
        wanted.append(source.age_column)
    absent = [name for name in wanted if name not in table.columns]
    if absent and table.columns:
        message = (
            f"has no column {', '.join(repr(a) for a in absent)} "
            f"(columns: {', '.join(table.columns)})"
        )
        raise FeedUnusable([unusable(where, message, 1 if source.kind != "sql" else 0)])


def _rows(source: Source, table: Table, where: str) -> tuple[dict[str, Row], datetime | None, list]:
    rows: dict[str, Row] = {}
    problems: list[Problem] = []
    newest: datetime | None = None
    positions = {name: index + 1 for index, name in enumerate(table.columns)}
    column = positions if table.positional else {}
    key, age_column = source.key, source.age_column
    parsers = [(name, col, PARSERS[name]) for name, col in source.columns.items()]
    for number, record in table.records:
        sku = record.get(key)
        if is_blank(sku):
            problems.append(_at(where, number, column, key, "no sku"))
            continue
        sku = str(sku).strip()
        if sku in rows:
            message = f"sku {sku!r} is already at row {rows[sku].number}"
            problems.append(_at(where, number, column, key, message))
            continue
        values: dict[str, object] = {}
        for name, col, parse in parsers:
            cell = record.get(col)
            if is_blank(cell):
                continue  # no value here: the offer falls back as if the row were absent
            try:
                values[name] = parse(cell)
            except BadValue as err:
                problems.append(_at(where, number, column, col, str(err)))
        if age_column:
            try:
                stamp = moment(record.get(age_column))
                newest = stamp if newest is None or stamp > newest else newest
            except BadValue as err:
                problems.append(_at(where, number, column, age_column, str(err)))
        rows[sku] = Row(number, values)
    return rows, newest, problems


def _at(where: str, number: int, columns: dict[str, int], name: str, message: str) -> Problem:
    """A CSV cell by line and column, as editors count; a JSON record or SQL row by number."""
    if columns:
        return unusable(where, message, number, columns.get(name, 0), name)
    return unusable(where, message, name=f"row {number}: {name}")


def _too_old(source: Source, modified: datetime | None, now: datetime) -> Problem | None:
    if source.max_age is None:
        return None
    if modified is None:
        how = "its Last-Modified header" if source.kind == "url" else "an age_column"
        return unusable(source.shown, f"max_age {age_text(source.max_age)} needs {how}")
    age = now - modified
    if age <= source.max_age:
        return None
    message = (
        f"is {age_text(age)} old (from {modified.isoformat(timespec='seconds')}), "
        f"older than max_age {age_text(source.max_age)}: refresh the export"
    )
    return unusable(source.shown, message)


def age_text(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m"]
    text = " ".join(p for p in parts if p)
    return text.replace(" 0m", "") if text != "0m" else "under a minute"
