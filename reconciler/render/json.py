"""The plan as JSON: exactly the saved plan document (format_version 1)."""

from __future__ import annotations

from reconciler.plan.model import Plan
from reconciler.plan.serialize import dump_plan


def render_json(plan: Plan) -> str:
    return dump_plan(plan)
