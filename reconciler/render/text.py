"""The plan for a terminal: + ~ - lines grouped by channel, then the summary.

Colours only on a terminal (rich decides); in CI or a file the same lines come out plain.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from reconciler.errors import printable
from reconciler.plan.model import Action, Plan
from reconciler.render.fields import (
    SYMBOLS,
    acknowledge_hint,
    change_headline,
    nested_lines,
    read_back_lines,
    source_text,
    totals_line,
    unacknowledged,
)

STYLES = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.DELETE: "red",
    Action.WITHDRAW: "red",
}


def _channel_line(summary) -> Text:  # noqa: ANN001 - ChannelSummary
    counts = [
        f"{n} to {word}"
        for n, word in (
            (summary.creates, "create"),
            (summary.updates, "update"),
            (summary.deletes, "delete"),
            (summary.withdraws, "withdraw"),
        )
        if n
    ]
    counts.append(f"{summary.unchanged} unchanged")
    if summary.unmanaged:
        counts.append(f"{summary.unmanaged} not in the catalog, left alone (manage: listed)")
    head = Text(f"{summary.channel}", style="bold")
    head.append(f" ({summary.channel_id}, {summary.submission}, {summary.live_offers} live)")
    head.append(": " + ", ".join(counts))
    return head


# Not on a terminal (CI logs), a plan with more changes than this is listed compactly: the
# counts per channel and action, the first COMPACT_SHOWN changes, the rest in the saved plan.
COMPACT_ABOVE = 200
COMPACT_SHOWN = 50


def plan_lines(
    plan: Plan,
    ack: str | None = None,
    allow: tuple[str, ...] = (),
    shown: int | None = None,
) -> list[Text]:
    """The plan as styled lines; plain text is the same lines without their styles.

    `ack`/`allow` are apply's acknowledgements: a guard they cover is said to be acknowledged,
    not to block. `shown` lists only that many changes (compact mode); None lists them all."""
    lines: list[Text] = [
        Text(f"Plan {plan.plan_hash} for seller {plan.seller_id}", style="bold"),
        Text(f"catalog {plan.catalog_hash[:16]}, made {plan.created_at}"),
    ]
    for record in plan.sources:
        lines.append(Text(f"source {record.name}: {source_text(record)}"))
    if plan.target:
        target = "; ".join(f"{k} {', '.join(v)}" for k, v in plan.target.items())
        lines.append(Text(f"targeted: {target}"))
    budget = len(plan.changes) if shown is None else shown
    for summary in plan.channels:
        lines.append(Text(""))
        lines.append(_channel_line(summary))
        lines.extend(Text(f"  {line}", style="cyan") for line in read_back_lines(summary))
        for change in plan.changes:
            if change.channel != summary.channel:
                continue
            budget -= 1
            if budget < 0:
                break
            style = STYLES[change.action]
            line = Text(f"  {SYMBOLS[change.action]} ", style=style)
            line.append(printable(change.sku), style="bold")
            line.append(f"  {printable(change_headline(change))}")
            lines.append(line)
            lines.extend(Text(f"      {printable(detail)}") for detail in nested_lines(change))
    hidden = len(plan.changes) - (len(plan.changes) if shown is None else shown)
    if hidden > 0:
        lines.append(Text(""))
        lines.append(
            Text(
                f"... {hidden:,} more change(s) not listed here: save the plan (--out plan.json) "
                "and list it with `catalog show plan.json --full`, or plan with --full",
                style="cyan",
            )
        )
    if plan.notes:
        lines.append(Text(""))
        lines.extend(Text(f"Note: {note}", style="cyan") for note in plan.notes)
    lines.append(Text(""))
    blocking = unacknowledged(plan, ack, allow)
    for violation in plan.guards:
        if violation not in blocking:
            lines.append(
                Text(
                    f"Acknowledged: {violation.guard} on {violation.channel}: {violation.message}",
                    style="yellow",
                )
            )
    if blocking:
        lines.append(Text("BLOCKED: this plan trips the guards below.", style="bold red"))
        for violation in blocking:
            lines.append(
                Text(f"  {violation.guard} on {violation.channel}: {violation.message}", "red")
            )
        lines.append(Text(acknowledge_hint(plan), style="red"))
    lines.append(Text(totals_line(plan), style="bold"))
    return lines


def print_plan(
    plan: Plan,
    console: Console,
    ack: str | None = None,
    allow: tuple[str, ...] = (),
    full: bool = False,
) -> None:
    """On a terminal every change; elsewhere (CI) a big plan compactly unless `full`."""
    compact = not full and not console.is_terminal and len(plan.changes) > COMPACT_ABOVE
    lines = plan_lines(plan, ack, allow, COMPACT_SHOWN if compact else None)
    if not console.is_terminal:  # plain lines: written at once, a 200,000-offer plan in a blink
        console.file.write("".join(line.plain + "\n" for line in lines))
        return
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False)


def render_text(plan: Plan) -> str:
    """The plain-text plan, as CI logs and golden files see it."""
    return "".join(printable(line.plain) + "\n" for line in plan_lines(plan))
