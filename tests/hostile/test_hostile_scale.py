"""Bad input at scale: refused as fast as good input is read, never in quadratic time.

No timing luck: the bounds are generous (a quadratic overshoots them by minutes) or the test
counts the work done instead of timing it.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.catalog.load import load_yaml
from reconciler.cli.main import cli

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
OFFER = 'offers:\n  - sku: MUG-1\n    gtin: "3760452700015"\n    price: 12.50\n    stock: 4\n'


class TooSlow(Exception):
    pass


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TooSlow(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    except TooSlow:  # reported from here: pytest cannot place a signal raised in C code
        pytest.fail(f"took more than {seconds} s", pytrace=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_locating_every_key_of_a_huge_mapping_is_linear(tmp_path: Path) -> None:
    """20,000 lookups in a 20,000-key mapping: 0.1 s linear, about a minute when each lookup
    scans the mapping (what `catalog validate` did for each unknown field)."""
    keys = 20_000
    path = tmp_path / "mugs.yaml"
    path.write_text(OFFER + "".join(f"    k{i}: 1\n" for i in range(keys)))
    loaded = load_yaml(path, "mugs.yaml")
    with at_most(20):
        lines = [loaded.at(("offers", 0, f"k{i}")).line for i in range(keys)]
    assert lines == list(range(6, 6 + keys))


def test_an_offer_with_40000_unknown_keys_is_refused_naming_a_few(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    keys = "".join(f"    k{i}: 1\n" for i in range(40_000))
    (root / "offers" / "mugs.yaml").write_text(OFFER + keys)
    with at_most(30):  # 292 s before
        result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 4, result.output[:2000]
    lines = result.output.splitlines()
    more = "offers[0]: 39,980 more unknown fields (not listed)"
    assert f"{root}/offers/mugs.yaml:2:5: {more}" in lines
    assert f"{root}/offers/mugs.yaml:25:5: offers[0].k19: unknown field 'k19'" in result.output
    assert lines[-1] == "21 error(s): the catalog is invalid."


def test_each_file_of_an_invalid_catalog_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100,000 empty offers files took 19 s to refuse: each was read twice (once to hash the
    catalog for plans, which an invalid catalog never makes) and its path resolved."""
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    for i in range(2_000):
        (root / "offers" / f"empty-{i:05d}.yaml").touch()
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 4
    assert result.output.splitlines()[-1] == "2000 error(s): the catalog is invalid."
    assert len(reads) == len(set(reads)) == 2_002  # catalog.yaml, mugs.yaml, the empty ones
