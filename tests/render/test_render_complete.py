"""What a reviewer must see: every field a create sends, nothing printed as None, notes only
where they apply, and an acknowledged guard said as such (issue 18, item 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from reconciler.catalog.model import Discount, OperationKind
from reconciler.clock import PARIS
from reconciler.plan.build import build_plan
from reconciler.plan.model import Action, Change, FieldChange
from reconciler.render.fields import nested_lines
from reconciler.render.markdown import render_markdown
from reconciler.render.text import plan_lines, render_text
from tests.offers import MARKETPLACE_ZZ, catalog, make_plan, offer

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


def test_a_create_shows_vat_dea_and_preparation_days():
    created = offer(sku="BOOK", vat=Decimal("5.50"), dea_tax=Decimal("2.40"), preparation_days=4)
    text = render_text(make_plan([created], []))
    line = next(x for x in text.splitlines() if "+ BOOK" in x)
    for shown in ("vat 5.50", "eco_tax 0.10", "dea_tax 2.40", "preparation_days 4"):
        assert shown in line
    markdown = render_markdown(make_plan([created], []))
    assert "| dea_tax | 2.40 |" in markdown and "| preparation_days | 4 |" in markdown


def test_a_field_with_no_value_is_left_out_not_printed_as_none():
    created = offer(sku="PLAIN", eco_tax=Decimal("0.00"))
    text = render_text(make_plan([created], []))
    assert "None" not in text and "eco_tax" not in text and "dea_tax" not in text
    assert "None" not in render_markdown(make_plan([created], []))


def test_a_reference_price_added_to_a_sale_is_never_printed_as_none():
    sale = Discount(
        start=datetime(2027, 1, 7, 8, tzinfo=PARIS),
        end=datetime(2027, 2, 3, 23, 59, tzinfo=PARIS),
        kind=OperationKind.SALES,
        percent=30,
    )
    priced = replace(sale, reference_price=Decimal("24.99"))
    before, after = offer(discounts=(sale,)), offer(discounts=(priced,))
    change = Change(
        "cdiscount", "SKU-1", Action.UPDATE, before, after,
        (FieldChange("discounts", before.discounts, after.discounts),),
    )  # fmt: skip
    lines = nested_lines(change)
    assert any("reference_price: (none) -> 24.99" in line for line in lines), lines
    assert not any("None" in line for line in lines)


def _xml_and_json(desired_zz_price: Decimal):
    on_xml = offer(sku="MUG", comment="Fait main")
    on_json = offer(channel="marketplace-zz", sku="MUG", price=desired_zz_price)
    shop = catalog([on_xml, on_json])
    live = {on_xml.key: on_xml, on_json.key: replace(on_json, price=Decimal("19.99"))}
    return build_plan(shop, live, NOW)


def test_the_xml_only_note_is_silent_on_a_plan_without_changes():
    plan = _xml_and_json(Decimal("19.99"))
    assert not plan.has_changes
    assert plan.notes == ()
    assert "Note:" not in render_text(plan)


def test_the_xml_only_note_names_the_json_channel_when_it_receives_such_offers():
    plan = _xml_and_json(Decimal("21.99"))
    assert len(plan.notes) == 1
    assert MARKETPLACE_ZZ.name in plan.notes[0] and "1 offer(s)" in plan.notes[0]


def test_an_allowed_guard_is_said_acknowledged_not_blocked():
    plan = make_plan([offer(price=Decimal("1.00"))], [offer(price=Decimal("20.00"))])
    assert plan.blocked
    allowed = "\n".join(x.plain for x in plan_lines(plan, allow=("max_price_change_percent",)))
    assert "BLOCKED" not in allowed and "To apply it anyway" not in allowed
    assert "Acknowledged: max_price_change_percent" in allowed
    acked = "\n".join(x.plain for x in plan_lines(plan, ack=plan.plan_hash))
    assert "BLOCKED" not in acked
    other = "\n".join(x.plain for x in plan_lines(plan, allow=("max_update_percent",)))
    assert "BLOCKED" in other


def _big_plan(n: int):
    return make_plan([offer(sku=f"SKU-{i:05}", stock=i) for i in range(n)], [])


def test_a_big_plan_in_a_ci_log_is_compact_unless_full_is_asked():
    import io

    from rich.console import Console

    from reconciler.render.text import COMPACT_SHOWN, print_plan

    plan = _big_plan(300)
    out = io.StringIO()
    print_plan(plan, Console(file=out, force_terminal=False))
    listed = [line for line in out.getvalue().splitlines() if line.startswith("  + ")]
    assert len(listed) == COMPACT_SHOWN
    assert "cdiscount (CDISFR, xml, 0 live): 300 to create" in out.getvalue()
    assert "250 more change(s) not listed here" in out.getvalue()
    assert (
        out.getvalue()
        .rstrip()
        .endswith("Plan: 300 to create, 0 to update, 0 to delete, 0 to withdraw.")
    )
    full = io.StringIO()
    print_plan(plan, Console(file=full, force_terminal=False), full=True)
    assert sum(line.startswith("  + ") for line in full.getvalue().splitlines()) == 300
    assert "not listed" not in full.getvalue()


def test_a_small_plan_is_listed_whole_in_a_ci_log():
    import io

    from rich.console import Console

    from reconciler.render.text import print_plan

    out = io.StringIO()
    print_plan(_big_plan(120), Console(file=out, force_terminal=False))
    assert sum(line.startswith("  + ") for line in out.getvalue().splitlines()) == 120
