"""`sources` and `fields` of a schema-checked catalog.yaml, to `Source` and `Ownership`, with the
rules a schema cannot say (one kind per source, a field fed only by a source that has its column,
channels that exist), located in catalog.yaml.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from reconciler.catalog.load import YamlFile
from reconciler.errors import Problem
from reconciler.sources.model import CATALOG, UNMANAGED, Missing, Ownership, Source

KINDS = ("csv", "json", "url", "sql")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> timedelta:
    found = re.fullmatch(r"([0-9]+)([smhd])", text)
    if not found:
        raise ValueError(text)
    return timedelta(**{_UNITS[found[2]]: int(found[1])})


def read_settings(
    loaded: YamlFile, data: dict[str, Any], channels: list[str]
) -> tuple[dict[str, Source], Ownership, list[Problem]]:
    problems: list[Problem] = []
    sources = {
        name: source
        for name, raw in data.get("sources", {}).items()
        if (source := _source(loaded, name, raw, problems)) is not None
    }
    # A source declared wrongly is said once, not again by each field it feeds (None).
    named: dict[str, Source | None] = {name: sources.get(name) for name in data.get("sources", {})}
    ownership = _ownership(loaded, data.get("fields", {}), named, channels, problems)
    return sources, ownership, problems


def _source(loaded: YamlFile, name: str, raw: dict[str, Any], problems: list) -> Source | None:
    at = ("sources", name)
    kinds = [k for k in KINDS if k in raw]
    if len(kinds) != 1:
        given = f" (got {', '.join(kinds)})" if kinds else ""
        problems.append(loaded.problem(at, f"needs exactly one of csv, json, url, sql{given}"))
        return None
    kind = kinds[0]
    for only in ("format", "headers"):
        if only in raw and kind != "url":
            problems.append(loaded.problem((*at, only), f"{only} is for url sources only"))
    if "max_age" in raw and kind == "sql" and "age_column" not in raw:
        message = "max_age on an sql source needs age_column (a column of date-times)"
        problems.append(loaded.problem((*at, "max_age"), message))
    sql = raw.get("sql", {})
    return Source(
        name=name,
        kind=kind,
        location=sql["url_env"] if kind == "sql" else raw[kind],
        key=raw["key"],
        columns=dict(raw["columns"]),
        max_age=duration(raw["max_age"]) if "max_age" in raw else None,
        age_column=raw.get("age_column"),
        missing=Missing(raw.get("missing", "keep")),
        format=raw.get("format"),
        headers=dict(raw.get("headers", {})),
        query=sql.get("query", ""),
    )


def _ownership(
    loaded: YamlFile,
    raw: dict[str, Any],
    sources: dict[str, Source | None],
    channels: list[str],
    problems: list[Problem],
) -> Ownership:
    defaults: dict[str, str] = {}
    per_channel: dict[str, dict[str, str]] = {}
    for field, spec in raw.items():
        at = ("fields", field)
        if isinstance(spec, dict) and "channels" in spec:
            if "default" in spec:
                defaults[field] = _owner(
                    loaded, (*at, "default"), field, spec["default"], sources, problems
                )
            per_channel[field] = {}
            for channel, owner in spec["channels"].items():
                where = (*at, "channels", channel)
                if channel not in channels:
                    message = f"unknown channel {channel!r} (channels: {', '.join(channels)})"
                    problems.append(loaded.problem(where, message, key=True))
                    continue
                per_channel[field][channel] = _owner(loaded, where, field, owner, sources, problems)
        else:
            defaults[field] = _owner(loaded, at, field, spec, sources, problems)
    return Ownership(defaults, per_channel)


def _owner(
    loaded: YamlFile,
    at: tuple,
    field: str,
    spec: object,
    sources: dict[str, Source | None],
    problems: list[Problem],
) -> str:
    if spec in (CATALOG, UNMANAGED):
        return str(spec)
    name = spec["from"]  # type: ignore[index]
    if name in sources and sources[name] is None:
        return CATALOG
    source = sources.get(name)
    if source is None:
        known = ", ".join(sorted(sources)) or "none declared"
        message = f"unknown source {name!r} (sources: {known})"
        problems.append(loaded.problem((*at, "from"), message))
        return CATALOG
    if field not in source.columns:
        message = f"source {name!r} has no column for {field} (its columns: {{{field}: COLUMN}})"
        problems.append(loaded.problem((*at, "from"), message))
        return CATALOG
    return name
