"""The apply journal: which packages were submitted, with which offers, and how they ended.

Append-only JSON lines in `<catalog>/.catalog/journal.jsonl`, each line flushed and fsynced
before the call it announces (or right after the call that gave us an id), so an apply killed
at any point leaves a journal from which the next apply knows what may still be integrating.

Events (all carry `channel`, `submission` and `package`: our own name of the package):
- `opened`    json: the marketplace gave the package an id; nothing is Ready yet
- `ready`     json: PATCH Ready was sent; from here the package integrates
- `published` xml: the zip is in the store at `url`; about to POST it
- `submitted` xml: the marketplace took the URL and gave `package_id`
- `finished`  the package ended: `state` Integrated / Rejected / Abandoned, counts

The journal is an aid to resuming, never a source of truth: it says which packages may still
be integrating, so the next apply follows them before planning. Whether an offer is done is
only ever read from the live offers. A journal holding lines that are JSON but not events of
this tool (committed by mistake, edited, crafted) is set aside, renamed, with a warning.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler import clock
from reconciler.state import StateFolder

SUBMISSIONS = ("json", "xml")


@dataclass
class PendingPackage:
    """A package the journal saw go out without seeing it finish."""

    channel: str
    submission: str
    package: str
    plan_hash: str
    package_type: str
    skus: list[str]
    actions: dict[str, str]
    package_id: str | None = None
    url: str | None = None
    ready: bool = False  # json: PATCH Ready was (maybe) sent
    events: list[str] = field(default_factory=list)


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self.warnings: list[str] = []  # said once by the caller, then cleared

    @classmethod
    def for_catalog(cls, root: str | Path) -> Journal:
        return cls(StateFolder(root).journal)

    def record(self, event: str, **data: Any) -> None:
        line = json.dumps({"event": event, "at": clock.now().isoformat(), **data}, default=str)
        with open(self.path, "ab+") as stream:
            if stream.tell() > 0:
                stream.seek(-1, os.SEEK_END)
                if stream.read(1) != b"\n":
                    # A kill mid-write left a line without its end: glued to it, ours would
                    # be unreadable too, and a package's id or its end would be forgotten.
                    line = "\n" + line
            stream.write((line + "\n").encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())

    def entries(self) -> list[dict[str, Any]]:
        """Every event of the journal; a journal with a line that is no event is set aside."""
        if not self.path.exists():
            return []
        found = []
        with open(self.path, encoding="utf-8", errors="replace") as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill: the event did not complete
                why = _not_an_event(entry)
                if why:
                    self._set_aside(f"line {number} {why}")
                    return []
                found.append(entry)
        return found

    def _set_aside(self, why: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.set-aside-{clock.now():%Y%m%dT%H%M%S}")
        self.path.replace(aside)
        self.warnings.append(
            f"the apply journal {self.path.name} was set aside as {aside.name}: {why}. "
            "It only helps an interrupted apply resume; the live offers decide what is done."
        )

    def pending(self) -> list[PendingPackage]:
        """Packages announced but not finished, oldest first."""
        open_packages: dict[str, PendingPackage] = {}
        for entry in self.entries():
            name = entry.get("package")
            if not name:
                continue
            event = entry["event"]
            if event == "finished":
                open_packages.pop(name, None)
                continue
            package = open_packages.get(name)
            if package is None:
                package = PendingPackage(
                    channel=entry["channel"],
                    submission=entry["submission"],
                    package=name,
                    plan_hash=str(entry.get("plan_hash", "")),
                    package_type=str(entry.get("package_type", "")),
                    skus=[str(s) for s in entry.get("skus") or []],
                    actions={str(k): str(v) for k, v in (entry.get("actions") or {}).items()},
                )
                open_packages[name] = package
            package.events.append(event)
            package.package_id = entry.get("package_id") or package.package_id
            package.url = entry.get("url") or package.url
            package.ready = package.ready or event == "ready"
        return list(open_packages.values())


def _not_an_event(entry: Any) -> str:
    """Why a journal line is not an event this tool wrote ("" when it is one)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("event"), str):
        return "is not an event"
    if "package" not in entry:
        return ""
    if not isinstance(entry["package"], str):
        return "names no package"
    if entry["event"] != "finished" and not (
        isinstance(entry.get("channel"), str) and entry.get("submission") in SUBMISSIONS
    ):
        return "names no channel or submission (json or xml)"
    skus, actions = entry.get("skus", []), entry.get("actions", {})
    if not isinstance(skus, list) or not isinstance(actions, dict):
        return "has unreadable skus or actions"
    if not isinstance(entry.get("package_id") or "", str):
        return "has an unreadable package_id"
    return ""
