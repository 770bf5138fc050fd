from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from apply_market import offer

from reconciler.apply.checks import check_guards, drift
from reconciler.errors import PlanBlocked
from reconciler.plan.model import Action, Change, GuardViolation, Plan
from reconciler.plan.serialize import offer_fingerprint

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_drift_says_how_each_kind_of_change_went_stale():
    live = offer("zz", 1)
    create = Change("zz", live.sku, Action.CREATE, None, live)
    assert drift(create, None, NOW) is None
    assert drift(create, live, NOW) == "now exists on the marketplace"
    delete = Change("zz", live.sku, Action.DELETE, live, None, fingerprint=offer_fingerprint(live))
    assert drift(delete, live, NOW) is None
    assert drift(delete, None, NOW) == "no longer on the marketplace"
    moved = replace(live, stock=0, price=Decimal("21.00"))
    assert drift(delete, moved, NOW) == "price 19.99 -> 21.00 (+5.1%), stock 5 -> 0"


def plan_with(*guards: GuardViolation) -> Plan:
    return Plan(1, "c", "2026-11-25T09:00:00Z", (), (), guards=guards, plan_hash="abc123")


def test_guards_pass_only_with_that_plan_or_every_tripped_guard_allowed():
    price = GuardViolation("max_price_change_percent", "zz", "SKU-1 19.99 -> 1.99")
    share = GuardViolation("max_delete_percent", "zz", "50% deleted")
    plan = plan_with(price, share)
    check_guards(plan_with(), None, ())
    check_guards(plan, "abc123", ())
    check_guards(plan, None, ("max_price_change_percent", "max_delete_percent"))
    with pytest.raises(PlanBlocked) as blocked:
        check_guards(plan, None, ("max_price_change_percent",))
    assert "max_delete_percent on zz: 50% deleted" in str(blocked.value)
    assert "max_price_change_percent on zz" not in str(blocked.value)
