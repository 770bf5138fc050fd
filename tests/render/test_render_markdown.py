from __future__ import annotations

from decimal import Decimal

from reconciler.catalog.model import Guards
from reconciler.render.markdown import render_markdown


def test_summary_table_comes_before_details(mixed_plan):
    md = render_markdown(mixed_plan)
    table = md.index("| Channel | Live offers |")
    assert table < md.index("<details>")
    assert "| cdiscount (CDISFR, xml) | 3 | 1 | 1 | 0 | 1 | 1 | 0 |" in md
    assert "| zz (SELLZZ, json) | 2 | 0 | 0 | 1 | 0 | 1 | 0 |" in md


def test_banner_when_deleting_or_withdrawing(mixed_plan):
    md = render_markdown(mixed_plan)
    assert "> **This plan deletes or withdraws 2 offer(s).**" in md
    assert md.index("[!WARNING]") < md.index("| Channel |")


def test_no_banner_for_creates_and_updates_only(factory):
    offer, make_plan = factory
    md = render_markdown(make_plan([offer(), offer(sku="B")], [offer(stock=1)]))
    assert "[!WARNING]" not in md and "[!CAUTION]" not in md


def test_blocked_banner_names_plan_hash_and_guard(factory):
    offer, make_plan = factory
    plan = make_plan([offer(price=Decimal("1.00"))], [offer(price=Decimal("20.00"))])
    md = render_markdown(plan)
    assert "[!CAUTION]" in md and "BLOCKED" in md
    assert f"--ack {plan.plan_hash}" in md
    assert "`max_price_change_percent` on cdiscount" in md


def test_each_offer_has_a_collapsible_section_with_before_and_after(mixed_plan):
    md = render_markdown(mixed_plan)
    assert md.count("<details>") == 4
    assert "| price | 19.99 | 17.99 |" in md
    assert "- delivery: TRK cost: 4.90 -&gt; 5.90" in md


def test_markup_in_a_sku_is_escaped(factory):
    offer, make_plan = factory
    md = render_markdown(make_plan([offer(sku="A|<b>")], []))
    assert "A&#124;&lt;b&gt;" in md and "<b>" not in md


def _big_plan(factory, creates: int, updates: int):
    offer, make_plan = factory
    desired = [offer(sku=f"C{i:05}") for i in range(creates)]
    desired += [offer(sku=f"U{i:05}", stock=1) for i in range(updates)]
    live = [offer(sku=f"U{i:05}") for i in range(updates)]
    return make_plan(desired, live, guards=Guards(max_update_percent=Decimal(100)))


def test_small_plan_is_not_cut(factory):
    md = render_markdown(_big_plan(factory, 5, 5))
    assert "To stay under" not in md
    assert md.count("<details>") == 10


def test_long_plan_is_cut_to_the_limit_creates_first(factory):
    plan = _big_plan(factory, 100, 20)
    full = render_markdown(plan, limit=10**9)
    limit = len(full) - 10_000
    md = render_markdown(plan, limit=limit)
    assert len(md) <= limit
    assert f"To stay under {limit:,} characters" in md
    # updates are more important than creates: they keep their details
    assert md.count("<details><summary><code>~ U") == 20
    detailed = md.count("<details><summary><code>+ C")
    assert 0 < detailed < 100
    assert md.count("- <code>+ C") == 100 - detailed  # shortened creates keep their line
    assert f"{100 - detailed} offer(s) are shown without details" in md


def test_huge_plan_drops_lines_and_says_how_many(factory):
    plan = _big_plan(factory, 3000, 0)
    md = render_markdown(plan)
    assert len(md) <= 65_000
    shown = md.count("<code>+ C")
    words = md[md.index("To stay under") :]
    assert f"{3000 - shown} offer(s) are left out" in words
    assert shown > 100


def test_offers_named_by_a_guard_are_the_last_to_lose_details(factory):
    offer, make_plan = factory
    desired = [offer(sku=f"C{i:05}") for i in range(3000)]
    desired.append(offer(sku="ZZ-TYPO", price=Decimal("1.99")))
    plan = make_plan(desired, [offer(sku="ZZ-TYPO", price=Decimal("199.00"))])
    md = render_markdown(plan)
    assert len(md) <= 65_000
    assert "<details><summary><code>~ ZZ-TYPO</code>" in md
    assert "| price | 199.00 | 1.99 |" in md
