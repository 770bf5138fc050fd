"""The plan as one self-contained HTML page, for the people who review prices without YAML.

Per-channel counts, the guards, the price changes sorted by how far they move with a chart of
their distribution (inline SVG: no script, no network, opens from a mail or a CI artefact).
Catalog text goes through Jinja's autoescape, so a comment or a sku cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jinja2 import Environment

from reconciler.plan.guards import price_change_percent
from reconciler.plan.model import Plan
from reconciler.render.fields import totals, totals_line

# Buckets of the distribution chart, in percent of the old price: (low, high], signed.
BUCKETS = (-100, -50, -20, -10, -5, 0, 5, 10, 20, 50, None)
MAX_ROWS = 2000  # a page a browser opens at once; the saved plan holds the rest


@dataclass(frozen=True, slots=True)
class PriceMove:
    channel: str
    sku: str
    before: Decimal
    after: Decimal
    percent: Decimal  # signed

    @property
    def bucket(self) -> str:
        return bucket_label(self.percent)


def _label(low: int, high: int | None) -> str:
    if high is None:
        return f"> {low}%"
    return f"<= {high}%" if low == -100 else f"{low} to {high}%"


LABELS = tuple(_label(low, high) for low, high in zip(BUCKETS, BUCKETS[1:], strict=False))


def bucket_label(percent: Decimal) -> str:
    for low, high in zip(BUCKETS, BUCKETS[1:], strict=False):
        if high is None or percent <= high:
            return _label(low, high)
    raise AssertionError("unreachable: the last bucket is open")


def price_moves(plan: Plan) -> list[PriceMove]:
    """Every price an update changes, the largest moves first."""
    moves = []
    for change in plan.changes:
        for fc in change.fields:
            if fc.field != "price" or fc.before is None or fc.after is None:
                continue
            moved = price_change_percent(fc.before, fc.after)
            if moved is None:
                continue
            signed = moved if fc.after >= fc.before else -moved
            signed = signed.quantize(Decimal("0.1"))
            moves.append(PriceMove(change.channel, change.sku, fc.before, fc.after, signed))
    return sorted(moves, key=lambda m: (-abs(m.percent), m.channel, m.sku))


def distribution(moves: list[PriceMove]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(LABELS, 0)
    for move in moves:
        counts[move.bucket] += 1
    return list(counts.items())


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Plan {{ plan.plan_hash }} for seller {{ plan.seller_id }}</title>
<style>
body { font: 16px/1.4 sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.blocked { background: #fde8e8; border: 2px solid #c00; padding: 0.5em 1em; }
.down { color: #a00; } .up { color: #070; }
</style></head><body>
<h1>Plan {{ plan.plan_hash }}</h1>
<p>Seller {{ plan.seller_id }}, made {{ plan.created_at }}. <strong>{{ headline }}</strong></p>
<h2>Per channel</h2>
<table id="counts"><tr><th>Channel</th><th>Live</th><th>Create</th><th>Update</th>
<th>Delete</th><th>Withdraw</th><th>Unchanged</th></tr>
{% for s in plan.channels %}<tr><td>{{ s.channel }} ({{ s.channel_id }})</td>
<td>{{ s.live_offers }}</td><td>{{ s.creates }}</td><td>{{ s.updates }}</td>
<td>{{ s.deletes }}</td><td>{{ s.withdraws }}</td><td>{{ s.unchanged }}</td></tr>
{% endfor %}<tr><th>Total</th><th></th><th>{{ total.creates }}</th><th>{{ total.updates }}</th>
<th>{{ total.deletes }}</th><th>{{ total.withdraws }}</th><th></th></tr></table>
<h2>Guards</h2>
{% if plan.guards %}<div class="blocked"><p><strong>BLOCKED</strong> by {{ plan.guards|length }}
guard(s):</p><ul>{% for g in plan.guards %}<li>{{ g.guard }} on {{ g.channel }}: {{ g.message }}
</li>{% endfor %}</ul></div>{% else %}<p>No guard is tripped.</p>{% endif %}
<h2>Price changes ({{ moves|length }})</h2>
{% if moves %}
<svg id="chart" width="{{ 90 * buckets|length + 20 }}" height="230" role="img"
 aria-label="distribution of price changes">
{% for label, count in buckets %}{% set h = (150 * count / top)|round|int %}
<rect x="{{ 10 + 90 * loop.index0 }}" y="{{ 180 - h }}" width="70" height="{{ h }}"
 fill="{{ '#c44' if label.startswith('-') else '#4a4' }}"/>
<text x="{{ 45 + 90 * loop.index0 }}" y="{{ 174 - h }}" text-anchor="middle"
 font-size="16">{{ count }}</text>
<text x="{{ 45 + 90 * loop.index0 }}" y="200" text-anchor="middle" font-size="12">{{ label }}</text>
{% endfor %}</svg>
<table id="prices">
<tr><th>Offer</th><th>Channel</th><th>Before</th><th>After</th><th>Change</th></tr>
{% for m in moves[:max_rows] %}<tr><td>{{ m.sku }}</td><td>{{ m.channel }}</td>
<td>{{ m.before }}</td><td>{{ m.after }}</td>
<td class="{{ 'down' if m.percent < 0 else 'up' }}">{{ '%+.1f'|format(m.percent) }}%</td></tr>
{% endfor %}</table>
{% if moves|length > max_rows %}<p>{{ moves|length - max_rows }} smaller price change(s) are
in the saved plan.</p>{% endif %}
{% else %}<p>No price changes.</p>{% endif %}
</body></html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)
_TEMPLATE = _ENV.from_string(_PAGE)


def render_html(plan: Plan) -> str:
    moves = price_moves(plan)
    buckets = distribution(moves)
    return _TEMPLATE.render(
        plan=plan,
        headline=totals_line(plan),
        total=totals(plan),
        moves=moves,
        buckets=buckets,
        top=max([count for _, count in buckets] + [1]),
        max_rows=MAX_ROWS,
    )
