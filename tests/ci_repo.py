"""A seller's repository for the CI tests (action.yml, the GitLab template): two catalogs,
catalogs/a and catalogs/b (each the demo catalog, on the test sandbox served over HTTP), the shop
they describe already live, all committed in a fresh git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from reconciler.catalog import load_catalog
from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG, copy_tree

BIN = str(Path(sys.executable).parent)  # where this environment's `catalog` is


def seller_repo(tmp_path: Path, sandbox) -> Path:
    root = tmp_path / "repo"
    for name in ("a", "b"):
        folder = root / "catalogs" / name
        copy_tree(DEMO_CATALOG, folder)
        settings = folder / "catalog.yaml"
        settings.write_text(
            settings.read_text().replace(
                "sandbox: embedded",
                f"api_url: {sandbox.api_url}\n  auth_url: {sandbox.auth_url}",
            )
            + f"package_store: {{type: http-put, url: '{sandbox.base_url}/sandbox/blobs/{{name}}'}}"
            + "\n"
        )
    offers = load_catalog(root / "catalogs" / "a").offers.values()
    sandbox.seed_products(sorted({o.gtin for o in offers}))
    credentials = {
        "OCTOPIA_CLIENT_ID": sandbox.client_id,
        "OCTOPIA_CLIENT_SECRET": sandbox.client_secret,
    }
    built = CliRunner().invoke(
        cli, ["apply", str(root / "catalogs" / "a"), "--auto-approve"], env=credentials
    )
    assert built.exit_code == 0, built.output
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(root)]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "catalogs"], check=True)
    return root


def set_price(repo: Path, catalog: str, old: str, new: str) -> None:
    clothes = repo / catalog / "offers" / "clothes.yaml"
    clothes.write_text(clothes.read_text().replace(f"price: {old}", f"price: {new}"))


def catalog_cli(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`catalog ARGS` as a job's shell runs it, in the repository."""
    path = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["catalog", *args], cwd=repo, env={**os.environ, **env, "PATH": path})
