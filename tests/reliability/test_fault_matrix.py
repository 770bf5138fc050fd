"""The fault matrix (issue 8): `apply` of a shop of a few hundred offers over both channel kinds
under each fault the sandbox can inject.

Each run must end with exit 0, 5 or 7 and a JSON report that matches what the marketplace
really holds, offer by offer; then, faults cleared, a second apply converges, the next plan is
empty, every desired offer is live with its values, and no offer was sent twice (the sandbox
lists every offer request it received). `pytest -s` prints the table of faults x outcome; it is
also written to $TMPDIR/fault-matrix.txt.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from apply_market import FAST, Market
from fault_shop import (
    XML_LIVE,
    desired_catalog,
    desired_offers,
    live_offers,
    report_mismatches,
    seed_shop,
    seeded_offers,
    sent_twice,
    submissions,
)
from test_apply_faults import Hook
from test_apply_run import QUICK, next_plan

from reconciler.apply.report import ApplyReport, Progress, write_report
from reconciler.apply.run import ApplyOptions
from reconciler.apply.session import ApplyRequest, ApplySession
from reconciler.catalog.model import Catalog
from reconciler.channels.pacing import Pacing
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.governor import Limits

TABLE_FILE = Path(tempfile.gettempdir()) / "fault-matrix.txt"
ROWS: dict[str, list[str]] = {}
COLUMNS = ["fault", "exit", "integr.", "reject.", "not sent", "pending", "retries", "tokens"]
COLUMNS += ["misreported", "2nd exit", "plan after", "sent twice", "seconds"]


@dataclass(frozen=True)
class Fault:
    name: str
    config: dict[str, Any] = field(default_factory=dict)  # the marketplace's own limits
    faults: dict[str, Any] = field(default_factory=dict)  # injected, cleared for the 2nd apply
    limits: Limits = FAST
    pacing: Pacing = QUICK
    timeout: float = 30.0  # the client's per-call timeout
    spike: float = 0.0  # seconds of latency above the timeout, from the first upload on


SPIKE_MS = 600  # above the 0.4 s client timeout of the spike: every call in it times out
PATIENT = replace(FAST, backoff_base=0.1, backoff_cap=0.4, max_attempts=8)
FAULTS = [
    Fault("429 storm (Retry-After)", config={"rate_limit": {"per_second": 30, "burst": 8}}),
    Fault("403 call quota", config={"quota": {"calls": 25, "window_seconds": 1}}),
    Fault("20% empty 503", faults={"error_share": 0.2, "seed": 1}, limits=PATIENT),
    Fault("dropped connections", faults={"drop_share": 0.2, "seed": 2}, limits=PATIENT),
    Fault("latency spike", limits=PATIENT, timeout=0.4, spike=1.0),
    Fault("token expiry", config={"token_expires_in": 1}, faults={"latency_ms": 10}),
    Fault("package rejected whole", faults={"reject_packages": True}),
    Fault("share of offers rejected", faults={"offer_reject_share": 0.25, "seed": 3}),
    Fault(
        "slow integration",
        faults={"slow_integration_seconds": 1.0},
        pacing=replace(QUICK, timeout=0.3),
    ),
    Fault(
        "answers lost after the work",
        faults={"lost_answer_share": 0.1, "seed": 4},
        limits=PATIENT,
    ),
]


@pytest.fixture(scope="module", autouse=True)
def fault_table():
    yield
    if not ROWS:
        return
    rows = [COLUMNS, *ROWS.values()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    text = "\n".join(lines) + "\n"
    TABLE_FILE.write_text(text)
    print(f"\nFault matrix (also in {TABLE_FILE}):\n{text}")


def client_for(market: Market, fault: Fault) -> MarketplaceClient:
    credentials = Credentials("sandbox", "sandbox-secret")
    return MarketplaceClient(
        market.api_url,
        market.auth_url,
        credentials,
        98979,
        limits=fault.limits,
        timeout=fault.timeout,
    )


def spike_on_first_upload(market: Market, seconds: float) -> Progress:
    """Every call slower than the client waits, for `seconds`, from the first upload on."""

    def start() -> None:
        market.faults(latency_ms=SPIKE_MS)
        threading.Timer(seconds, market.faults).start()

    return Hook(on_upload=start)


def apply_once(cat: Catalog, market: Market, fault: Fault) -> tuple[Any, ApplyReport, Any]:
    """Plan and apply once as `catalog apply --auto-approve` does; (plan, report, client)."""
    options = ApplyOptions(
        pacing=fault.pacing, json_package_size=60, xml_package_size=40, upload_size=25
    )
    progress = spike_on_first_upload(market, fault.spike) if fault.spike else Progress(str)
    with client_for(market, fault) as client:
        session = ApplySession(cat, client, progress, ApplyRequest(options=options))
        plan = session.plan()
        return plan, session.apply(plan), client


def expected_shop() -> dict:
    """The desired offers, plus the xml offers withdrawn (kept with stock 0)."""
    shop = {o.key: o for o in desired_offers()}
    for o in seeded_offers():
        if o.channel == "cdiscount" and o.key not in shop and o.sku >= f"SKU-{XML_LIVE[20]:04d}":
            shop[o.key] = replace(o, stock=0)
    return shop


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_apply_under_fault_reports_the_truth_then_converges(tmp_path, start_market, fault):
    began = time.monotonic()
    market = start_market(**fault.config)
    seed_shop(market)
    cat = desired_catalog(tmp_path, market)
    before = live_offers(market, cat, as_planned=True)
    market.faults(**fault.faults)

    plan, report, client = apply_once(cat, market, fault)
    report_file = tmp_path / "apply-report.json"
    write_report(report, report_file)
    told = json.loads(report_file.read_text())
    market.faults()
    time.sleep(fault.spike)  # the spike's timer has cleared the latency too
    after = live_offers(market, cat, as_planned=True)
    wrong = report_mismatches(plan, told, before, after, submissions(market))
    counts = Counter(o["status"] for o in told["offers"])
    row = ROWS[fault.name] = [fault.name, str(told["exit_code"])]
    row += [str(counts[s]) for s in ("integrated", "rejected", "not_sent", "pending")]
    row += [str(client.governor.retries), str(client.tokens.fetched), str(len(wrong))]
    row += ["-"] * (len(COLUMNS) - len(row))
    assert told["exit_code"] in (0, 5, 7), told["stopped"]
    assert not wrong, f"{len(wrong)} offers misreported:\n" + "\n".join(w[:160] for w in wrong)

    _, second, _ = apply_once(cat, market, replace(fault, faults={}, spike=0.0, pacing=QUICK))
    left = next_plan(cat, market)
    twice = sent_twice(submissions(market))
    row[-4:] = [str(int(second.exit_code)), f"{len(left.changes)} changes", str(len(twice))]
    row.append(f"{time.monotonic() - began:.1f}")
    assert second.exit_code == 0, second.to_dict()
    assert not left.has_changes, [(c.channel, c.sku, c.action) for c in left.changes]
    assert live_offers(market, cat) == expected_shop()
    assert twice == {}
