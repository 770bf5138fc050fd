from __future__ import annotations

from decimal import Decimal

from reconciler.render.text import render_text


def test_text_groups_changes_by_channel_with_symbols(mixed_plan):
    text = render_text(mixed_plan)
    lines = text.splitlines()
    cd = lines.index(next(line for line in lines if line.startswith("cdiscount (CDISFR")))
    zz = lines.index(next(line for line in lines if line.startswith("zz (SELLZZ")))
    assert cd < zz
    between = lines[cd + 1 : zz]
    assert any(line.startswith("  + NEW-1  create: price 19.99, stock 25") for line in between)
    assert "  - OLD-1  withdraw: stock 25 -> 0" in between
    assert "  ~ UPD-1  price 19.99 -> 17.99 (-10.0%), stock 25 -> 20, delivery changed" in between
    assert "      delivery: REG added: cost 6.90, additional_cost 2.00" in between
    assert "      delivery: TRK cost: 4.90 -> 5.90" in between
    assert "  - ZZ-GONE  delete" in lines[zz:]
    assert "SAME" not in text
    assert lines[-1] == "Plan: 1 to create, 1 to update, 1 to delete, 1 to withdraw."


def test_text_summary_counts_per_channel(mixed_plan):
    text = render_text(mixed_plan)
    assert (
        "cdiscount (CDISFR, xml, 3 live): 1 to create, 1 to update, 1 to withdraw, 1 unchanged"
        in text
    )
    assert "zz (SELLZZ, json, 2 live): 1 to delete, 1 unchanged" in text
    assert "Note: comment exist only in XML packages" in text


def test_text_is_plain_without_a_terminal(mixed_plan):
    assert "\x1b[" not in render_text(mixed_plan)


def test_blocked_plan_says_so_and_how_to_acknowledge(factory):
    offer, make_plan = factory
    plan = make_plan([offer(price=Decimal("1.00"))], [offer(price=Decimal("20.00"))])
    text = render_text(plan)
    assert "BLOCKED" in text
    assert f"--ack {plan.plan_hash}" in text
    assert "--allow max_price_change_percent" in text
    assert "SKU-1 price 20.00 -> 1.00 (95.0%)" in text


def test_empty_plan_says_nothing_to_do(factory):
    offer, make_plan = factory
    plan = make_plan([offer()], [offer()])
    text = render_text(plan)
    assert "No changes: the marketplace matches the catalog." in text
    assert "BLOCKED" not in text


def test_unmanaged_offers_are_counted_under_listed(factory):
    from reconciler.catalog.model import ManagePolicy

    offer, make_plan = factory
    plan = make_plan([], [offer(sku="A"), offer(sku="B")], manage=ManagePolicy.LISTED)
    assert "2 not in the catalog, left alone (manage: listed)" in render_text(plan)
