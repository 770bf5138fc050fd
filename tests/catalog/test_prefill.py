"""A cold parse cache filled by forked processes (reconciler/catalog/prefill.py) gives exactly
what a load without cache gives: cross-file problems, located errors, offers, places. Run in a
fresh interpreter: the test process runs threads (the sandbox), where prefill does not fork."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog.test_catalog_cache_changes import CHANGES, DEMO, PANTRY

LOAD = """
import json, sys
import reconciler.catalog as catalog_module
import reconciler.catalog.prefill as prefill_module
prefill_module.MIN_BYTES = 0  # the demo's files are small: fork for them anyway
parsed = []  # offers files this process parses (forked children count in their own copy)
real = catalog_module.load_yaml
def counting(path, *args):
    parsed.append(str(path)) if "offers" in str(path) else None
    return real(path, *args)
catalog_module.load_yaml = counting
catalog, problems = catalog_module.check_catalog(sys.argv[1])
offers = sorted(repr(o) for o in catalog.offers.values()) if catalog else None
places = sorted(f"{k}: {v}" for k, v in catalog.origins.items()) if catalog else None
said = {"problems": [str(p) for p in problems], "offers": offers, "places": places}
print(json.dumps({"said": said, "parsed": len(parsed)}))
"""


def load(root: Path, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(root)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="prefill forks on Linux only")
@pytest.mark.parametrize("change", ["none", *CHANGES])
def test_a_cold_cache_filled_in_parallel_loads_as_without_cache(tmp_path: Path, change: str):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".catalog"))
    (root / "offers" / "pantry.yaml").write_text(PANTRY, encoding="utf-8")
    for name, text in CHANGES.get(change, {}).items():
        (root / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    expected = load(root, {**env, "CATALOG_NO_CACHE": "1"})
    assert expected["parsed"] >= 3
    shutil.rmtree(root / ".catalog" / "cache", ignore_errors=True)
    cold = load(root, env)  # the files parsed by forked processes, then read back here
    assert cold["said"] == expected["said"]
    assert load(root, env)["said"] == expected["said"]  # warm
    if change in ("none", "an offer's price changed"):  # no file with an error
        assert cold["parsed"] == 0
