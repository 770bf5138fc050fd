"""The catalog's JSON Schemas (schemas/*.schema.json) applied to loaded files, with clear messages.

A valid file is checked by a compiled validator (fastjsonschema), which is fast enough for the
largest catalogs. Only the items that fail are checked again with jsonschema, which lists every
error of an item; each error then becomes a message in the seller's words, located in the file.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import fastjsonschema

from reconciler.catalog.load import YamlFile
from reconciler.errors import Problem
from reconciler.resources import SCHEMAS_DIR

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_NAMES = ("catalog", "offers", "operations")
# The list each file kind holds; its items are checked one by one so one bad offer among
# 100,000 does not make the slow validator walk the other 99,999.
ITEMS = {"offers": "offer", "operations": "operation"}


def schema_file(name: str) -> str:
    return f"{name}.schema.json"


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / schema_file(name)).read_text(encoding="utf-8"))


@dataclass
class SchemaCheck:
    """What the schema says of one file: its problems and which list items are unusable."""

    problems: list[Problem] = field(default_factory=list)
    bad_items: set[int] = field(default_factory=set)
    usable: bool = True  # False: the file's top level itself is wrong


def check_file(loaded: YamlFile, name: str) -> SchemaCheck:
    """Check a loaded file (data not None) against schema `name`."""
    result = SchemaCheck()
    data = loaded.data
    try:
        _fast(name)(data)
        return result
    except fastjsonschema.JsonSchemaException:
        pass
    list_key = name if name in ITEMS else None
    items = data.get(list_key) if list_key and isinstance(data, dict) else None
    if not isinstance(items, list):
        result.problems = _explain(loaded, name, _full(name), data, ())
        result.usable = not result.problems
        return result
    top = {**data, list_key: []}
    result.problems = _explain(loaded, name, _full(name), top, ())
    result.usable = not result.problems
    item_check = _fast(name, ITEMS[name])
    for index, item in enumerate(items):
        try:
            item_check(item)
        except fastjsonschema.JsonSchemaException:
            full = _full(name, ITEMS[name])
            problems = _explain(loaded, name, full, item, (list_key, index))
            # The compiled check is a little stricter than Draft 2020-12 (2.0 is not an integer
            # to it): an item the full validator accepts is kept, never dropped in silence.
            if problems:
                result.bad_items.add(index)
                result.problems += problems
    return result


def _part(name: str, item: str | None) -> dict[str, Any]:
    # A fresh copy each time: fastjsonschema rewrites the $refs of what it compiles in place.
    whole = copy.deepcopy(schema(name))
    if item is None:
        return whole
    return {**whole["$defs"][item], "$defs": whole["$defs"], "$id": whole["$id"]}


@cache
def _fast(name: str, item: str | None = None) -> Any:
    # fastjsonschema knows drafts up to 7; our schemas use nothing newer than $defs, which is
    # reached through plain JSON pointers, so compiling them as draft 7 checks the same things.
    part = {**_part(name, item), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(part)


@cache
def _full(name: str, item: str | None = None) -> Draft202012Validator:
    # Imported only when something fails: a valid catalog never needs it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_part(name, item))


def _explain(
    loaded: YamlFile,
    name: str,
    validator: Draft202012Validator,
    data: object,
    prefix: tuple[str | int, ...],
) -> list[Problem]:
    problems: dict[tuple, Problem] = {}
    for error in validator.iter_errors(data):
        path = (*prefix, *error.absolute_path)
        for where, message, on_key in _messages(error):
            problem = loaded.problem((*path, *where), message, key=on_key)
            problems.setdefault((problem.location, message), problem)
    return list(problems.values())


_TYPE_NAMES = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "null": "empty",
}
_PATTERN_HINTS = {
    "gtin": "must be a GTIN of 8, 12, 13 or 14 digits",
    "mode": "must be a delivery mode code of 3 capital letters or digits (TRK, REG, LV2, SO1, ...)",
    "start": "must be a date and time such as 2027-01-07T08:00:00+01:00",
    "end": "must be a date and time such as 2027-02-03T23:59:00+01:00",
    "url": "must be an http(s) URL with a {name} placeholder",
    "api_url": "must be an http(s) URL",
    "auth_url": "must be an http(s) URL",
    "get_url": "must be an http(s) URL with a {name} placeholder",
    "endpoint_url": "must be an http(s) URL",
    "link_expiry": "must be a duration such as 90s, 30m, 6h or 1d",
}


def shown(value: object) -> str:
    """A value as the seller wrote it in YAML, for `(got ...)`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _messages(error: ValidationError) -> list[tuple[tuple, str, bool]]:
    """(extra path, message, point at the key?) for one jsonschema error."""
    kind, expected, got = error.validator, error.validator_value, error.instance
    last = error.absolute_path[-1] if error.absolute_path else ""
    if kind == "additionalProperties" and expected is False:
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [key for key in got if key not in allowed]
        found = [((key,), _unknown(key, allowed), True) for key in unknown[:MAX_UNKNOWN]]
        if len(unknown) > MAX_UNKNOWN:  # a generated or pasted blob: a few names say enough
            more = f"{len(unknown) - MAX_UNKNOWN:,} more unknown fields (not listed)"
            found.append(((), more, False))
        return found
    if kind == "required":
        return [
            ((), f"missing required field {key!r}", False) for key in expected if key not in got
        ]
    if kind == "type":
        return [((), _wrong_type(str(last), expected, got), False)]
    if kind == "enum":
        return [((), _not_one_of(expected, got), False)]
    if kind == "oneOf":  # the forms a value may take, as the schema's description says them
        return [((), f"{error.schema.get('description', error.message)} (got {shown(got)})", False)]
    if kind == "propertyNames":
        return [((got,), f"{got!r} is not a valid name: use letters, digits, _ . -", True)]
    return [((), _bounds(kind, expected, got, str(last)) or error.message, False)]


MAX_UNKNOWN = 20  # unknown fields named one by one in a mapping


def _unknown(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f": did you mean {close[0]!r}?" if close else ""
    return f"unknown field {key!r}{hint} (allowed: {', '.join(allowed)})"


def _wrong_type(name: str, expected: str | list[str], got: object) -> str:
    names = [expected] if isinstance(expected, str) else expected
    wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if "string" in names and isinstance(got, int | float) and not isinstance(got, bool):
        return f"must be {wanted}: write it in quotes (got {shown(got)})"
    return f"must be {wanted} (got {shown(got)})"


def _not_one_of(expected: list[object], got: object) -> str:
    choices = ", ".join(str(choice) for choice in expected)
    close = difflib.get_close_matches(str(got), [str(c) for c in expected], n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close and isinstance(got, str) else ""
    return f"must be one of {choices} (got {shown(got)}){hint}"


def _bounds(kind: str, expected: object, got: object, name: str) -> str | None:
    sized = len(got) if isinstance(got, str | list | dict) else 0
    messages = {
        "minimum": f"must be at least {expected} (got {shown(got)})",
        "maximum": f"must be at most {expected} (got {shown(got)})",
        "exclusiveMinimum": f"must be greater than {expected} (got {shown(got)})",
        "exclusiveMaximum": f"must be less than {expected} (got {shown(got)})",
        "minLength": "must not be empty"
        if expected == 1
        else f"must be at least {expected} characters (got {sized})",
        "maxLength": f"must be at most {expected} characters (got {sized})",
        "minItems": "must not be empty" if expected == 1 else f"needs at least {expected} items",
        "minProperties": "must not be empty",
        "uniqueItems": "must not list the same value twice",
        "pattern": f"{_PATTERN_HINTS.get(name, 'has the wrong form')} (got {shown(got)})",
    }
    return messages.get(kind)
