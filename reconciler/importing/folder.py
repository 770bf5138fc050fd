"""Writing the imported documents to the catalog folder, without ever mixing two imports."""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.catalog.model import Catalog
from reconciler.errors import ReconcilerError
from reconciler.marketplace.connect import sandbox_state_dir

# the folders whose every YAML file is catalog data: a stale file there would add offers
_DATA_FOLDERS = ("offers", "operations")


class ImportRefused(ReconcilerError):
    """The output folder holds files that the import would mix with or overwrite."""


def write_folder(out: Path, files: dict[str, str], replace: bool = False) -> list[Path]:
    """Write `files` under `out`; with `replace`, the YAML data files already there go first.

    Without `replace`, a folder that already holds a catalog is refused: an import never
    silently overwrites a seller's edits.
    """
    existing = _catalog_files(out)
    if existing and not replace:
        shown = ", ".join(str(p.relative_to(out)) for p in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ImportRefused(
            f"{out} already holds a catalog ({shown}{more}): "
            "choose an empty --out folder, or pass --replace to overwrite it"
        )
    for path in existing:
        path.unlink()
    written = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _catalog_files(out: Path) -> list[Path]:
    found = [out / "catalog.yaml"] if (out / "catalog.yaml").is_file() else []
    for folder in _DATA_FOLDERS:
        if (out / folder).is_dir():
            found += sorted(p for p in (out / folder).iterdir() if p.suffix in (".yaml", ".yml"))
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
