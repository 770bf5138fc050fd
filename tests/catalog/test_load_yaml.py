"""Safe YAML loading: plain values, positions, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.catalog.load import field_path, load_yaml


def load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_yaml(path, "f.yaml")


def messages(loaded) -> list[str]:
    return [str(p) for p in loaded.problems]


def test_plain_values_as_yaml_1_1_reads_them(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        "a: 12\nb: 012\nc: 0x1F\nd: 1_000\ne: 19.99\nf: 1_000.5\ng: -2.5e+3\nh: yes\ni: ~\n"
        "j: 2027-01-07T08:00:00+01:00\nk: '007'\nl: 1e3\nm: 190:20:30\n",
    )
    # read as before; what YAML 1.2 (and a person) would read otherwise gets a warning
    assert [(p.location.field, p.severity) for p in loaded.problems] == [
        (field, "warning") for field in "bdfhm"
    ]
    data = loaded.data
    assert [data[k] for k in "abcde"] == [12, 10, 31, 1000, 19.99]
    assert data["f"] == 1000.5 and data["g"] == -2500.0
    assert data["h"] is True and data["i"] is None
    assert data["j"] == "2027-01-07T08:00:00+01:00"  # dates stay text; the catalog parses them
    assert data["k"] == "007"
    assert data["l"] == "1e3"  # YAML 1.1: not a float without a dot
    assert data["m"] == 685230  # sexagesimal, as PyYAML reads it


def test_anchors_and_merge_keys_share_values(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        "base: &base {vat: 20, preparation_days: 2}\n"
        "offers:\n  - <<: *base\n    sku: A\n    vat: 5.5\n  - {<<: [*base], sku: B}\n",
    )
    assert loaded.problems == []
    assert loaded.data["offers"] == [
        {"vat": 5.5, "preparation_days": 2, "sku": "A"},
        {"vat": 20, "preparation_days": 2, "sku": "B"},
    ]
    assert loaded.item_marks["offers"] == [(3, 5), (6, 5)]


def test_positions_of_values_and_keys(tmp_path: Path) -> None:
    loaded = load(
        tmp_path, "offers:\n  - sku: A\n    price: -1\n    delivery:\n      - {mode: X}\n"
    )
    assert str(loaded.at(("offers", 0, "price"))) == "f.yaml:3:12: offers[0].price"
    assert str(loaded.at(("offers", 0, "price"), key=True)) == "f.yaml:3:5: offers[0].price"
    where = loaded.at(("offers", 0, "delivery", 0, "mode"))
    assert (where.line, where.column) == (5, 16)
    # a field the file does not spell out: the deepest part that is there
    assert str(loaded.at(("offers", 0, "vat"))) == "f.yaml:2:5: offers[0].vat"


def test_field_path() -> None:
    assert field_path(("offers", 3, "overrides", "zz", "price")) == "offers[3].overrides.zz.price"
    assert field_path(()) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!binary aGVsbG8=\n", "f.yaml:1:4: a: the YAML tag !!binary is not allowed"),
        ("a: !local x\n", "f.yaml:1:4: a: the YAML tag !local is not allowed"),
        ("a: !!set {x}\n", "f.yaml:1:4: a: the YAML tag !!set is not allowed"),
        (
            "a: !!python/name:os.system\n",
            "f.yaml:1:4: a: the YAML tag !!python/name:os.system is not allowed",
        ),
        ("? [a, b]\n: 1\n", "f.yaml:1:3: a key must be a plain name, not a list or mapping"),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2:1: invalid YAML: expected a single document in the stream, "
            "but found another document",
        ),
        (
            "a: 1\n\n  # only\n b: 2\n",
            "f.yaml:4:2: invalid YAML: while parsing a block mapping, did not find expected key "
            "(usually line 4 is indented differently from the fields above it: line it up "
            "with its neighbours, or start a new item with '- ')",
        ),
        (b"\xff\xfea\x00", "f.yaml:1:1: the file is not UTF-8 (byte 0xff): save it as UTF-8"),
        ("   \n\n", "f.yaml:1:1: the file is empty"),
        ("price: .nan\n", "f.yaml:1:8: price: a number must be finite (got .nan)"),
        ("price: -.inf\n", "f.yaml:1:8: price: a number must be finite (got -.inf)"),
        ("price: 1.0e+400\n", "f.yaml:1:8: price: a number must be finite (got 1.0e+400)"),
        ("a: " + "[" * 999 + "]" * 999 + "\n", "f.yaml:1:1: the file nests too deeply"),
        ("a: " + "{a: " * 999 + "1" + "}" * 999 + "\n", "f.yaml:1:1: the file nests too deeply"),
        ("a: &x [1, *x]\n", "f.yaml:1:4: a: a YAML alias refers to a part that contains it"),
        ("---\n...\n", "f.yaml:1:1: the file is empty"),
    ],
)
def test_refused(tmp_path: Path, text: str | bytes, expected: str) -> None:
    loaded = load(tmp_path, text)
    assert loaded.data is None
    assert messages(loaded) == [expected]


def test_tab_inside_a_value_is_fine(tmp_path: Path) -> None:
    loaded = load(tmp_path, 'comment: "a\tb"\nother: |\n  text\n  \tmore\nlast:\tx\n')
    assert loaded.problems == []
    assert loaded.data == {"comment": "a\tb", "other": "text\n\tmore\n", "last": "x"}


def test_tab_in_the_indentation(tmp_path: Path) -> None:
    loaded = load(tmp_path, "offers:\n  - sku: A\n  \t price: 1\n")
    assert messages(loaded) == [
        "f.yaml:3:3: a tab is used for indentation: YAML indents with spaces only"
    ]


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 30):  # 10**30 nodes if expanded: only counting can finish
        refs = ", ".join([f"*a{n - 1}"] * 10)
        levels.append(f"a{n}: &a{n} [{refs}]")
    loaded = load(tmp_path, "\n".join(levels) + "\n")
    assert loaded.data is None
    [problem] = loaded.problems
    assert problem.message.startswith("YAML aliases expand 41 nodes to ")
    assert problem.message.endswith(": refused (an alias bomb?)")


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    rows = "\n".join(f"  - {{sku: S{n}, delivery: *std}}" for n in range(300))
    loaded = load(
        tmp_path, f"std: &std [{{mode: TRK, cost: 1, additional_cost: 0}}]\noffers:\n{rows}\n"
    )
    assert loaded.problems == []
    assert loaded.data["offers"][299]["delivery"][0]["mode"] == "TRK"
