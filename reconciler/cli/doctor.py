"""`catalog doctor [DIR]`: the first command to run against production.

Checks credentials, channels, delivery modes per channel, what GET /offers returns (the
read-back table), the package store and what the answers say of limits. Exit 0 all pass, 4 a
mismatch between catalog.yaml and the account (located), 7 unreachable or refused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command(name="doctor")
@click.argument(
    "directory", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--capture",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every raw answer (status, headers, body) here, secrets and the seller's "
    "identifiers redacted, for a bug report.",
)
def command(directory: Path, capture: Path | None) -> None:
    """Check that the catalog in DIRECTORY and the marketplace account fit together.

    \b
    Example:
      catalog doctor . --capture doctor-capture/
    """
    from reconciler.apply.session import store_opener
    from reconciler.catalog import load_catalog
    from reconciler.doctor.capture import Recorder
    from reconciler.doctor.checks import run_doctor
    from reconciler.marketplace.auth import Credentials
    from reconciler.marketplace.connect import open_marketplace

    catalog = load_catalog(directory)
    recorder = Recorder(catalog.seller_id)
    if not catalog.marketplace.sandbox:
        recorder.secrets.add(Credentials.from_env().client_secret)
    with open_marketplace(catalog) as client:
        client.on_response(recorder)
        report = run_doctor(catalog, client, recorder, store_opener(catalog, client))
    for check in report.checks:
        click.echo(f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
        if not check.passed and check.fix:
            click.echo(f"      what to do: {check.fix}")
    if report.read_back:
        click.echo("")
        click.echo(render_table(report.read_back))
    if capture is not None:
        written = recorder.write(capture)
        click.echo(f"\n{len(written)} answer(s) captured in {capture}/ (secrets redacted)")
    sys.exit(int(report.exit_code))


def render_table(read_back: dict[str, list[tuple[str, str]]]) -> str:
    """Which catalog field came back under which wire name, one column per channel."""
    channels = sorted(read_back)
    fields = [f for f, _ in next(iter(read_back.values()))] if read_back else []
    if not any(read_back.values()):
        return "Read-back: no live offers on any channel yet (apply first, then run again)."
    names = {ch: dict(rows) for ch, rows in read_back.items()}
    rows = [["catalog field", *channels]] + [
        [f, *(names[ch].get(f, "") or "(not returned)" if names[ch] else "-" for ch in channels)]
        for f in fields
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["Read-back (GET /offers, first page): the wire name each field came back under"]
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
