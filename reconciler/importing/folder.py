"""Writing the imported documents to the catalog folder, without ever mixing two imports."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.catalog.files import YAML_SUFFIXES
from reconciler.catalog.model import Catalog
from reconciler.errors import ReconcilerError
from reconciler.marketplace.connect import sandbox_state_dir
from reconciler.replace_file import replace_file

# the folders whose every YAML file is catalog data: a stale file there would add offers
_DATA_FOLDERS = ("offers", "operations")


class ImportRefused(ReconcilerError):
    """The output folder holds files that the import would mix with or overwrite."""


@dataclass
class Written:
    """What an import did to the folder, for the seller to read."""

    written: list[str] = field(default_factory=list)  # new or rewritten, relative paths
    unchanged: list[str] = field(default_factory=list)  # already held exactly this text
    removed: list[str] = field(default_factory=list)  # catalog files no longer needed
    comments_lost: list[str] = field(default_factory=list)  # rewritten files that had comments

    def lost(self) -> list[str]:
        """What a re-import could not keep of the hand-written catalog, one line each."""
        lines = [
            f"{p}: removed (none of its offers or operations is live any more)"
            for p in self.removed
        ]
        lines += [
            f"{p}: rewritten with the live values; its comments were not kept"
            for p in self.comments_lost
        ]
        return lines


def write_folder(out: Path, files: dict[str, str], replace: bool = False) -> Written:
    """Write `files` under `out`; with `replace`, catalog files not among them are removed.

    Without `replace`, a folder that already holds a catalog is refused: an import never
    silently overwrites a seller's edits. A file that already holds its text is not touched.
    """
    existing = _catalog_files(out)
    if existing and not replace:
        shown = ", ".join(str(p.relative_to(out)) for p in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ImportRefused(
            f"{out} already holds a catalog ({shown}{more}): "
            "choose an empty --out folder, or pass --replace to overwrite it"
        )
    done = Written()
    for path in existing:
        relative = path.relative_to(out).as_posix()
        if relative not in files:
            path.unlink()
            done.removed.append(relative)
    for relative, text in files.items():
        path = out / relative
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        if before == text:
            done.unchanged.append(relative)
            continue
        if before is not None and any(
            line.lstrip().startswith("#") for line in before.splitlines()[1:]
        ):
            done.comments_lost.append(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, text)
        done.written.append(relative)
    return done


def comments(text: str) -> set[str]:
    """The comments of a YAML text (whole-line and after a value), near enough to tell
    whether a rewrite dropped some: a '#' inside a quoted value may count as one."""
    found = set()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            found.add(stripped)
        elif " #" in line:
            found.add(line[line.index(" #") + 1 :].strip())
    return found


def _catalog_files(out: Path) -> list[Path]:
    found = [out / "catalog.yaml"] if (out / "catalog.yaml").is_file() else []
    for folder in _DATA_FOLDERS:
        if (out / folder).is_dir():
            paths = (out / folder).iterdir()
            found += sorted(p for p in paths if p.suffix.lower() in YAML_SUFFIXES)
    return found


def bring_embedded_shop(settings: Catalog, out: Path) -> tuple[Path, bool]:
    """Copy an embedded sandbox's shop (kept in the catalog folder, .catalog/sandbox) into
    `out`, so that `catalog plan` there sees the shop it was imported from.

    Returns where the shop goes and whether it was copied (not when already there).
    """
    source = sandbox_state_dir(settings)
    target = out / source.relative_to(Path(settings.root))
    if source.resolve() == target.resolve() or not source.is_dir() or target.exists():
        return target, False
    shutil.copytree(source, target)
    return target, True
