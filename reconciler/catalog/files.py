"""Finding a catalog's files: catalog.yaml, offers/*.yaml, operations/*.yaml, inside its folder.

A catalog comes from a pull request, so what is found here is refused when it is not a regular
file of the folder (a link out of it, a folder named like a file), and hashed for stale plans.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reconciler.catalog.load import YamlFile, load_yaml
from reconciler.errors import Location, Problem, UsageError

YAML_SUFFIXES = (".yaml", ".yml")


class CatalogFiles:
    """The files of one catalog folder: catalog.yaml (loaded), offers/*.yaml, operations/*.yaml."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings: YamlFile | None = None
        # loaded one at a time by the pipeline, so only one file's plain values are in memory
        self.offers: list[Path] = []
        self.operations: list[Path] = []
        self.problems: list[Problem] = []

    def content_hash(self) -> str:
        """sha256 over the files: asked only of a valid catalog (a plan carries it), so an
        invalid one with 100,000 files is not read twice."""
        if self.settings is None:
            return ""
        return content_hash(self.root, [self.settings.path, *self.offers, *self.operations])


def catalog_files(root: Path) -> CatalogFiles:
    """Find the files of the catalog at `root` and load catalog.yaml; a missing one is a problem."""
    if root.name == "catalog.yaml" and root.is_file():  # the file named instead of its folder
        root = root.parent
    files = CatalogFiles(root)
    settings = root / "catalog.yaml"
    if not root.is_dir():  # the command line is wrong, not the catalog: a usage error
        what = "is a file" if root.exists() else "does not exist"
        raise UsageError(
            f"{root}: no catalog here: the folder {what} (give the folder that holds catalog.yaml)"
        )
    if not settings.is_file():
        message = "missing catalog.yaml: a catalog folder starts with one (seller_id, channels)"
        if settings.is_dir():
            message = "catalog.yaml is a folder: it must be the catalog's settings file"
        elif settings.exists() or settings.is_symlink():  # a pipe, a device, a broken link
            message = "catalog.yaml is not a regular file: it must be the catalog's settings file"
        files.problems.append(Problem(Location(str(settings)), message))
        return files
    inside = _Inside(root)
    if inside.outside(settings):
        files.problems.append(inside.problem(settings))
        return files
    offers = _yaml_files(root / "offers", inside, files.problems)
    operations = _yaml_files(root / "operations", inside, files.problems)
    files.settings = load_yaml(settings, str(settings))
    files.offers, files.operations = offers, operations
    return files


class _Inside:
    """Whether a path, once its links are followed, stays in the catalog folder.

    A catalog comes from a pull request: a link in it to a file elsewhere on the CI runner
    (a key, another project's config) must not be read, hashed or quoted back in a message.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def outside(self, path: Path) -> bool:
        # realpath, unlike Path.resolve, does not raise on a link loop (reported as not a file)
        return not Path(os.path.realpath(path)).is_relative_to(self.root)

    def problem(self, path: Path) -> Problem:
        message = "is a link that points outside the catalog folder: refused"
        return Problem(Location(str(path)), message)


def _yaml_files(folder: Path, inside: _Inside, problems: list[Problem]) -> list[Path]:
    if not folder.exists() and not folder.is_symlink():
        return []
    if inside.outside(folder):
        problems.append(inside.problem(folder))
        return []
    if not folder.is_dir():
        problems.append(Problem(Location(str(folder)), f"{folder.name} must be a folder"))
        return []
    found = []
    with os.scandir(folder) as entries:  # one call for names and kinds: 100,000 files are fast
        # any case: offers/SHOES.YAML left out would be deleted from the shop under `manage: all`
        named = sorted((e.name, e) for e in entries if _is_yaml(e.name))
    for name, entry in named:
        path = folder / name
        # an entry that is not a link is where its folder is, and the folder is inside
        if entry.is_symlink() and inside.outside(path):
            problems.append(inside.problem(path))
        elif not _regular(entry):  # a folder, a broken link, a link loop, a device, a pipe
            problems.append(Problem(Location(str(path)), "is not a regular file"))
        else:
            found.append(path)
    return found


def _regular(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a link loop (DirEntry raises where Path.is_file says False)
        return False


def _is_yaml(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in YAML_SUFFIXES


def content_hash(root: Path, paths: list[Path]) -> str:
    """sha256 over the relative path and bytes of each file, in path order."""
    digest = hashlib.sha256()
    start = len(root.as_posix().rstrip("/")) + 1 if root.parts else 0  # Path(".") has no parts
    relatives = sorted((path.as_posix()[start:], path) for path in paths)
    for name, path in relatives:
        relative = name.encode()
        try:
            content = path.read_bytes()
        except OSError:  # load_yaml reports it, with the file's name: the catalog is invalid
            content = b""
        for part in (relative, content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def defaults_delivery(root: str | Path) -> tuple[tuple, Location] | None:
    """The delivery options set in catalog.yaml's defaults (normal form), and where: so that a
    problem with them is reported once, at catalog.yaml, not at every offer that takes them."""
    from reconciler.catalog.resolve import normal_fields

    settings = load_yaml(Path(root) / "catalog.yaml", str(Path(root) / "catalog.yaml"))
    data = settings.data
    defaults = data.get("defaults") if isinstance(data, dict) else None
    if not isinstance(defaults, dict) or "delivery" not in defaults:
        return None
    resolved = normal_fields({"delivery": defaults["delivery"]})["delivery"]
    return resolved, settings.at(("defaults", "delivery"))
