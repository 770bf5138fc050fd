"""Where the project's shipped files live: schemas/ and templates/ at the top of the repository."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
DEMO_CATALOG = PROJECT_ROOT / "catalogs" / "demo"
