"""The files the package ships beside its code: JSON Schemas, XML templates, the demo catalog.

Found through importlib.resources, so they are there wherever the package is installed (a wheel
in site-packages, an editable checkout, a zip). Never read them through a path built from
`__file__` or the repository layout: an installed tool has no repository.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "reconciler"
SCHEMAS_DIR: Traversable = files(PACKAGE) / "schemas"
TEMPLATES_DIR: Traversable = files(PACKAGE) / "templates"
DEMO_CATALOG: Traversable = files(PACKAGE) / "demo"


def copy_tree(source: Traversable, target: Path) -> list[Path]:
    """Copy a shipped folder to disk (as_file handles folders only from Python 3.12)."""
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir(), key=lambda each: each.name):
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            written += copy_tree(item, target / item.name)
        else:
            (target / item.name).write_bytes(item.read_bytes())
            written.append(target / item.name)
    return written
