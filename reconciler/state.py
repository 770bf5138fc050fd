"""The `.catalog/` folder of a catalog: the one owner of its layout and its safety rules.

Everything the tool keeps beside a catalog lives there: the apply journal and lock, the parse
cache, snapshots of the live shop, the embedded sandbox's state. A catalog arrives from a pull
request, so the folder (and each part of it) must be a real folder inside the catalog: a
committed link out of it, or a file in its place, is refused with a message, never followed.
Others ask this module for a path and never spell `.catalog` themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.errors import ReconcilerError

STATE_DIR = ".catalog"


class StateFolderUnusable(ReconcilerError):
    """`.catalog/` (or a part of it) is a link, a file, or cannot be written."""


class StateFolder:
    """`<catalog root>/.catalog`, and the named places inside it."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / STATE_DIR

    # The places, one per user. Files are created by their owners; folders by `folder()`.
    @property
    def journal(self) -> Path:
        return self.file("journal.jsonl")

    @property
    def lock(self) -> Path:
        return self.file("apply.lock")

    @property
    def cache(self) -> Path:
        return self.folder("cache")

    @property
    def snapshots(self) -> Path:
        return self.folder("snapshots")

    @property
    def sandbox(self) -> Path:
        return self.folder("sandbox")

    def file(self, name: str) -> Path:
        """A file directly in `.catalog/` (the folder is made and checked first)."""
        folder = self._ensure(self.path)
        target = folder / name
        if target.is_symlink():
            raise StateFolderUnusable(
                f"{target} is a link: remove it, the tool recreates it as a file of this catalog"
            )
        return target

    def folder(self, name: str) -> Path:
        self._ensure(self.path)
        return self._ensure(self.path / name)

    def _ensure(self, folder: Path) -> Path:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise StateFolderUnusable(
                f"{folder} must be a folder of this catalog (the tool keeps its state there): "
                "remove it, it is recreated"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StateFolderUnusable(
                f"cannot write {folder.name}/ in {folder.parent}: {err.strerror or err}"
            ) from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StateFolderUnusable(f"cannot write {folder.name}/ in {folder.parent}: read-only")
        return folder


def ignore_in_git(root: str | Path) -> bool:
    """Add `.catalog/` to the catalog folder's .gitignore (the state is local, never reviewed).

    Returns whether the file changed; a line already there is left as it is.
    """
    path = Path(root) / ".gitignore"
    line = f"{STATE_DIR}/"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if line in (each.strip() for each in text.splitlines()):
        return False
    ending = "" if not text or text.endswith("\n") else "\n"
    path.write_text(f"{text}{ending}{line}\n", encoding="utf-8")
    return True
