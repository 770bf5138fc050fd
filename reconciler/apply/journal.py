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
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler import clock
from reconciler.state import StateFolder


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
        if not self.path.exists():
            return []
        found = []
        with open(self.path, encoding="utf-8") as stream:
            for line in stream:
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut short by a kill: the event did not complete
        return found

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
                    plan_hash=entry.get("plan_hash", ""),
                    package_type=entry.get("package_type", ""),
                    skus=list(entry.get("skus", [])),
                    actions=dict(entry.get("actions", {})),
                )
                open_packages[name] = package
            package.events.append(event)
            package.package_id = entry.get("package_id") or package.package_id
            package.url = entry.get("url") or package.url
            package.ready = package.ready or event == "ready"
        return list(open_packages.values())

    def finished_skus(self, plan_hash: str) -> set[tuple[str, str]]:
        """(channel, sku) sent by packages of this plan that have ended: not to be sent again."""
        sent: dict[str, list[tuple[str, str]]] = {}
        done: set[tuple[str, str]] = set()
        for entry in self.entries():
            name = entry.get("package")
            if entry.get("plan_hash") == plan_hash and entry.get("skus"):
                sent[name] = [(entry["channel"], sku) for sku in entry["skus"]]
            if entry["event"] == "finished" and entry.get("state") != "Abandoned":
                done.update(sent.get(name, []))
        return done
