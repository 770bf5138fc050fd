"""`catalog import --replace` over a hand-written catalog updates values in place and keeps what
a seller wrote: catalog.yaml, file layout, tags, operation names and selectors, comments of
unchanged files; what it cannot keep it lists (issue 18, item 4)."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.resources import DEMO_CATALOG


def catalog(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_reimport_updates_a_price_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.delenv("OCTOPIA_CLIENT_ID", raising=False)
    monkeypatch.delenv("OCTOPIA_CLIENT_SECRET", raising=False)
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, demo, ignore=shutil.ignore_patterns(".catalog"))
    assert catalog("demo", str(demo)).exit_code == 0
    written = {p.relative_to(demo).as_posix(): p.read_text() for p in demo.rglob("*.yaml")}
    # The shop moves away from the files: a price changed outside this catalog's review.
    clothes = demo / "offers" / "clothes.yaml"
    clothes.write_text(written["offers/clothes.yaml"].replace("price: 44.90", "price: 39.90"))
    assert catalog("apply", str(demo), "--auto-approve").exit_code == 0
    clothes.write_text(written["offers/clothes.yaml"])

    result = catalog("import", str(demo), "--out", str(demo), "--replace")
    assert result.exit_code == 0, result.output

    after = {p.relative_to(demo).as_posix(): p.read_text() for p in demo.rglob("*.yaml")}
    assert sorted(after) == sorted(written)  # the same files: the layout is kept
    for kept in ("catalog.yaml", "offers/electronics.yaml", "offers/home.yaml"):
        assert after[kept] == written[kept], kept  # untouched, comments and all
    assert "price: 39.90" in after["offers/clothes.yaml"]
    assert "price: 44.90" not in after["offers/clothes.yaml"]
    assert "tags: [summer, tshirts]" in after["offers/clothes.yaml"]
    assert after["offers/clothes.yaml"].startswith("# yaml-language-server: $schema=")
    operations = after["operations/soldes-hiver-2027.yaml"]
    assert "name: soldes-hiver-2027" in operations and "tags: [winter]" in operations
    assert "Kept as written (nothing changed): catalog.yaml" in result.output
    assert "Not kept:" not in result.output or "offers/clothes.yaml" in result.output

    plan = catalog("plan", str(demo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_a_reimport_lists_the_files_and_comments_it_could_not_keep(tmp_path, monkeypatch):
    monkeypatch.delenv("OCTOPIA_CLIENT_ID", raising=False)
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_CATALOG, demo, ignore=shutil.ignore_patterns(".catalog"))
    assert catalog("demo", str(demo)).exit_code == 0
    home = demo / "offers" / "home.yaml"
    original = home.read_text()
    home.write_text(original.replace("offers:\n", "offers:\n  # checked with the supplier\n", 1))
    extra = demo / "offers" / "gone.yaml"
    extra.write_text("offers: []\n")
    # The live shop differs from home.yaml: the file must be rewritten, its comment goes.
    home_live = original.replace("stock: ", "stock: 1", 1)
    home.write_text(home_live.replace("offers:\n", "offers:\n  # checked with the supplier\n", 1))
    assert catalog("apply", str(demo), "--auto-approve").exit_code == 0
    home.write_text(original.replace("offers:\n", "offers:\n  # checked with the supplier\n", 1))

    result = catalog("import", str(demo), "--out", str(demo), "--replace")
    assert result.exit_code == 0, result.output
    assert (
        "Not kept: offers/home.yaml: rewritten with the live values; its comments" in result.output
    )
    assert "Not kept: offers/gone.yaml: removed" in result.output
    assert not extra.exists()
    assert catalog("plan", str(demo), "--detailed-exitcode").exit_code == 0
