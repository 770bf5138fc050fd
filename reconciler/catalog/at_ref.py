"""The catalog as it was at a git ref (`--since REF`): exported to a temporary folder, loaded.

`git archive` writes the catalog folder of that commit (files only, no working-tree state);
the catalog is then loaded as any other, so its offers are in the same normal form as now.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from reconciler.catalog.model import Catalog
from reconciler.errors import ReconcilerError


class RefUnreadable(ReconcilerError):
    """The ref is not a commit of the catalog's repository, or git is not there."""


def _git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RefUnreadable(f"git could not run: {err}") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RefUnreadable(f"git {args[0]}: {why[-1] if why else 'failed'}")
    return done.stdout


def catalog_at(folder: str | Path, ref: str) -> Catalog:
    """The catalog of `folder` as committed at `ref`."""
    from reconciler.catalog import load_catalog

    folder = Path(folder).resolve()
    top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    inside = folder.relative_to(top).as_posix() or "."
    try:
        commit = _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except RefUnreadable:
        raise RefUnreadable(f"{ref!r} is not a commit of the repository at {top}") from None
    commit = commit.decode().strip()
    archive = _git(top, "archive", "--format=tar", commit, "--", inside)
    with tempfile.TemporaryDirectory(prefix="catalog-at-ref-") as temp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(temp, filter="data")
        where = Path(temp) / inside
        if not (where / "catalog.yaml").is_file():
            raise RefUnreadable(f"{ref}: no catalog.yaml in {inside} at that commit")
        return load_catalog(where)
