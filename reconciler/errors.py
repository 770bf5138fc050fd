"""The error types of catalog-reconciler and the exit code each one maps to.

Every command shares these exit codes, so CI can trust them (see README, "Exit codes").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    CHANGES = 2  # only with --detailed-exitcode
    BLOCKED = 3  # a guard blocked the plan
    INVALID_CATALOG = 4
    PARTLY_FAILED = 5
    STALE_PLAN = 6
    UNREACHABLE = 7  # marketplace unreachable, auth refused or quota exhausted
    CANCELLED = 8  # the user declined at apply's prompt: nothing was sent
    USAGE = 64  # the command line is wrong (sysexits' EX_USAGE): unknown option, missing folder
    BUSY = 75  # another apply holds this catalog (sysexits' EX_TEMPFAIL: try again later)


@dataclass(frozen=True, slots=True)
class Location:
    """Where something stands in the catalog: file, 1-based line and column, field path."""

    file: str
    line: int = 0
    column: int = 0
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.field}" if self.field else where


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the catalog, at one place."""

    location: Location
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.message)

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "field": loc.field,
            "message": self.message,
            "severity": self.severity,
        }


class ReconcilerError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code: ExitCode = ExitCode.UNEXPECTED


class CatalogInvalid(ReconcilerError):
    """The catalog has errors; carries all of them, sorted by file and line."""

    exit_code = ExitCode.INVALID_CATALOG

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(f"{len(self.problems)} error(s) in the catalog")


class UsageError(ReconcilerError):
    """The command line names something that is not there (a folder, a channel)."""

    exit_code = ExitCode.USAGE


class MarketplaceUnreachable(ReconcilerError):
    """The marketplace could not be reached, refused our credentials or our quota ran out."""

    exit_code = ExitCode.UNREACHABLE


class PlanBlocked(ReconcilerError):
    exit_code = ExitCode.BLOCKED


class PlanStale(ReconcilerError):
    exit_code = ExitCode.STALE_PLAN


class CatalogBusy(ReconcilerError):
    """Another apply holds this catalog's lock: nothing was sent."""

    exit_code = ExitCode.BUSY


class ApplyPartlyFailed(ReconcilerError):
    exit_code = ExitCode.PARTLY_FAILED


def unknown_name(what: str, name: str, known: Iterable[str]) -> str:
    """ "no channel 'cdiscont': did you mean 'cdiscount'? (the catalog has ...)", for any name."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f": did you mean {close[0]!r}?" if close else ""
    return f"no {what} {name!r}{hint} (the catalog has {', '.join(map(repr, known)) or 'none'})"


def printable(text: str) -> str:
    """`text` on one line, every invisible or control character written as an escape (\\n).

    A file name, key or sku from a pull request is printed in CI logs, where a line that
    starts with `::error` after a newline is a workflow command, and a bidi override reorders
    what a reviewer reads.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(character)
    if named:
        return named
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
