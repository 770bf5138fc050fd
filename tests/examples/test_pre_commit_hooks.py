from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from cli_calls import call_problems

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository these tests come from


def hooks() -> dict[str, dict]:
    text = (PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    return {hook["id"]: hook for hook in yaml.safe_load(text)}


def test_catalog_validate_hook_runs_our_validate_once_per_commit():
    hook = hooks()["catalog-validate"]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    program, *args = shlex.split(hook["entry"])
    assert program == "catalog"
    assert args == ["validate"]
    # a seller adds the catalog folder through `args:`
    assert call_problems([*args, "catalogs/shop"]) == []


def test_the_hook_fires_on_catalog_yaml_only():
    files = re.compile(hooks()["catalog-validate"]["files"])
    assert files.search("catalogs/shop/catalog.yaml")
    assert files.search("catalogs/shop/offers/tshirts.yml")
    assert not files.search("src/app.py")
    assert not files.search(".github/workflows/catalog.yml")
