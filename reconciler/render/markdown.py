"""The plan as a pull-request comment (GitHub markdown).

Summary table first, a banner when offers are deleted, withdrawn or the plan is blocked, then
one collapsible section per offer. GitHub refuses comments over 65,536 characters, so the
comment is kept under LIMIT: the least important offers lose their details first (creates,
then updates, then removals; offers named by a guard last), then their line, and the comment
says how many were cut.
"""

from __future__ import annotations

import re

from reconciler.errors import printable
from reconciler.plan.model import Action, Change, Plan
from reconciler.render.fields import (
    SYMBOLS,
    acknowledge_hint,
    change_headline,
    create_values,
    nested_lines,
    read_back_lines,
    source_text,
    totals_line,
    value_text,
)

LIMIT = 65_000
_HEADLINE_MAX = 300
# Lower rank = less important = cut first.
_RANK = {Action.CREATE: 0, Action.UPDATE: 1, Action.WITHDRAW: 2, Action.DELETE: 2}


# Catalog text (skus, comments, names) is shown as text, never as markdown or HTML: each
# character that would open a tag, a link, an image, emphasis, code or a table cell becomes a
# character reference, which GitHub shows as the character and never parses.
_AS_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
    | {c: f"&#{ord(c)};" for c in "\\`*_[]~|"}
)
# GitHub links @mentions, #123 and bare URLs in the rendered text itself: a word joiner
# (U+2060, invisible) after @ and #, and inside :// and www., keeps them plain text.
_UNLINKED = re.compile(r"[@#]|(?<=:)(?=//)|(?<=www)(?=\.)", re.IGNORECASE)


def _cell(text: object) -> str:
    one_line = printable(str(text).replace("\r\n", " ").replace("\n", " "))
    return _UNLINKED.sub(lambda m: m.group() + "\u2060", one_line).translate(_AS_TEXT)


def _short(text: str, limit: int = _HEADLINE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_table(plan: Plan) -> list[str]:
    lines = [
        "| Channel | Live offers | Create | Update | Delete | Withdraw | Unchanged | Unmanaged |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in plan.channels:
        lines.append(
            f"| {_cell(s.channel)} ({_cell(s.channel_id)}, {s.submission}) | {s.live_offers} | "
            f"{s.creates} | {s.updates} | {s.deletes} | {s.withdraws} | {s.unchanged} | "
            f"{s.unmanaged} |"
        )
    return lines


def _banner(plan: Plan) -> list[str]:
    removals = sum(s.deletes + s.withdraws for s in plan.channels)
    lines: list[str] = []
    if plan.blocked:
        lines += [
            "> [!CAUTION]",
            "> **This plan is BLOCKED by its guards.** " + acknowledge_hint(plan),
        ]
    if removals:
        if lines:
            lines.append("")
        lines += [
            "> [!WARNING]",
            f"> **This plan deletes or withdraws {removals} offer(s).**",
        ]
    return lines


def _details(change: Change) -> str:
    head = (
        f"<code>{SYMBOLS[change.action]} {_cell(change.sku)}</code> "
        f"{_cell(_short(change_headline(change)))}"
    )
    rows = ["| Field | Before | After |", "|---|---|---|"]
    if change.action is Action.CREATE and change.after is not None:
        rows = ["| Field | Value |", "|---|---|"]
        rows += [f"| {name} | {_cell(text)} |" for name, text in create_values(change.after)]
    elif change.action is Action.DELETE and change.before is not None:
        rows = ["| Field | Live value |", "|---|---|", f"| price | {change.before.price} |"]
        rows.append(f"| stock | {change.before.stock} |")
    else:
        for fc in change.fields:
            after = value_text(fc.after) + (f" ({fc.source})" if fc.source else "")
            rows.append(f"| {fc.field} | {_cell(value_text(fc.before))} | {_cell(after)} |")
        nested = [f"- {_cell(line)}" for line in nested_lines(change)]
        rows += [""] + nested if nested else []
    reason = f"\n\n_{_cell(change.reason)}_" if change.reason else ""
    return f"<details><summary>{head}</summary>\n\n" + "\n".join(rows) + reason + "\n\n</details>"


def _line(change: Change) -> str:
    return (
        f"- <code>{SYMBOLS[change.action]} {_cell(change.sku)}</code> "
        f"{_cell(_short(change_headline(change), 120))}"
    )


def _rank(change: Change, guarded: set[tuple[str, str]]) -> tuple[int, int]:
    return (1 if (change.channel, change.sku) in guarded else 0, _RANK[change.action])


def _fit(plan: Plan, budget: int) -> tuple[list[str | None], int, int]:
    """Per change: its details, its short line, or None (cut); and how many of each were cut.

    Offers named by a guard get their details first (what a reviewer must see); then every
    offer gets its short line, the least important lines going when even those do not fit;
    then the most important offers get their details while room is left. Details are built
    only for offers that get them: a 200,000-offer plan costs a few hundred lines at most.
    """
    guarded = {(g.channel, sku) for g in plan.guards for sku in g.skus}

    def importance(i: int) -> tuple[int, int, int]:
        guard, action = _rank(plan.changes[i], guarded)
        return (-guard, -action, i)  # most important first, then in plan order

    order = sorted(range(len(plan.changes)), key=importance)
    blocks: list[str | None] = [None] * len(plan.changes)
    room = budget
    for i in order:
        change = plan.changes[i]
        if (change.channel, change.sku) not in guarded:
            break
        details = _details(change)
        if len(details) + 2 > room:
            break
        blocks[i] = details
        room -= len(details) + 2
    for i in order:  # most important first: their lines are the last to go
        if blocks[i] is not None:
            continue
        line = _line(plan.changes[i])
        if len(line) + 2 > room:
            break
        blocks[i] = line
        room -= len(line) + 2
    for i in order:
        block = blocks[i]
        if block is None:
            break
        if block.startswith("<details>"):
            continue
        details = _details(plan.changes[i])
        if len(details) - len(block) > room:
            break
        blocks[i] = details
        room -= len(details) - len(block)
    shown = sum(1 for b in blocks if b is not None)
    detailed = sum(1 for b in blocks if b is not None and b.startswith("<details>"))
    return blocks, shown - detailed, len(plan.changes) - shown


def render_markdown(plan: Plan, limit: int = LIMIT) -> str:
    head = [f"### Catalog plan `{plan.plan_hash}` for seller {plan.seller_id}", ""]
    banner = _banner(plan)
    head += banner + ([""] if banner else [])
    head += summary_table(plan) + ["", f"**{totals_line(plan)}**", ""]
    if plan.target:
        target = "; ".join(f"{k} {', '.join(v)}" for k, v in plan.target.items())
        head += [f"Targeted plan: {_cell(target)}", ""]
    if plan.sources:
        head += [f"- source `{r.name}`: {_cell(source_text(r))}" for r in plan.sources] + [""]
    if plan.guards:
        head.append("#### Guards")
        head += [
            f"- :x: `{g.guard}` on {_cell(g.channel)}: {_cell(g.message)}" for g in plan.guards
        ]
        head.append("")
    read_back = [
        f"- {_cell(s.channel)}: {_cell(line)}" for s in plan.channels for line in read_back_lines(s)
    ]
    if plan.notes or read_back:
        head += ["#### Notes"] + [f"- {_cell(n)}" for n in plan.notes] + read_back + [""]
    top = "\n".join(head)
    footer_room = 400 + 40 * len(plan.channels)
    blocks, shortened, dropped = _fit(plan, limit - len(top) - footer_room)
    body: list[str] = []
    for summary in plan.channels:
        mine = [
            b for c, b in zip(plan.changes, blocks, strict=True) if c.channel == summary.channel
        ]
        if any(mine):
            body += [f"#### {_cell(summary.channel)} ({_cell(summary.channel_id)})", ""]
            body += [b for b in mine if b] + [""]
    if dropped or shortened:
        body.append(
            f"_To stay under {limit:,} characters, {shortened} offer(s) are shown without "
            f"details and {dropped} offer(s) are left out; `catalog show plan.json` shows all._"
        )
    return (top + "\n" + "\n\n".join(b for b in body if b) + "\n").replace("\n\n\n", "\n\n")
