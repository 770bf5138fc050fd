"""The real `catalog apply --auto-approve --report FILE` under 503s and dropped connections:
its exit code and its JSON report tell the truth, and once the faults clear it converges
(`catalog plan --detailed-exitcode` exits 0). The matrix drives the same code in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from apply_market import gtin
from fault_shop import live_offers, report_mismatches, submissions
from test_apply_run import next_plan

from reconciler.catalog import load_catalog

OFFERS = 20


def write_catalog(root: Path, base: str) -> None:
    (root / "offers").mkdir(parents=True)
    (root / "catalog.yaml").write_text(
        f"""seller_id: 98979
marketplace:
  api_url: {base}/seller/v2
  auth_url: {base}/auth/realms/maas/protocol/openid-connect/token
channels:
  cdiscount: {{id: CDISFR, submission: xml}}
  zz: {{id: SELLZZ, submission: json}}
defaults:
  condition: new
  vat: 20
  preparation_days: 2
  delivery:
    - {{mode: TRK, cost: 4.90, additional_cost: 1.00}}
package_store:
  type: http-put
  url: {base}/sandbox/blobs/{{name}}
"""
    )
    lines = ["offers:"]
    for n in range(OFFERS):
        lines.append(f'  - {{sku: CLI-{n:03d}, gtin: "{gtin(n)}", price: 12.50, stock: 3}}')
    (root / "offers" / "shop.yaml").write_text("\n".join(lines) + "\n")


def catalog_command(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OCTOPIA_CLIENT_ID": "sandbox",
        "OCTOPIA_CLIENT_SECRET": "sandbox-secret",
        "CATALOG_TIME_BUDGET": "60",
    }
    command = [sys.executable, "-m", "reconciler.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_the_apply_command_under_faults_reports_the_truth(tmp_path, start_market):
    market = start_market()
    root = tmp_path / "shop"
    write_catalog(root, market.base)
    cat = load_catalog(str(root))
    before = live_offers(market, cat)
    plan = next_plan(cat, market)  # what the command will plan: every offer created
    market.faults(error_share=0.1, seed=7)

    report = tmp_path / "apply-report.json"
    first = catalog_command("apply", str(root), "--auto-approve", "--report", str(report))
    assert first.returncode in (0, 5, 7), first.stderr
    assert "Traceback" not in first.stderr
    told = json.loads(report.read_text())
    assert told["exit_code"] == first.returncode
    market.faults()
    wrong = report_mismatches(plan, told, before, live_offers(market, cat), submissions(market))
    assert not wrong, "\n".join(w[:200] for w in wrong)

    second = catalog_command("apply", str(root), "--auto-approve")
    assert second.returncode == 0, second.stdout + second.stderr
    after = catalog_command("plan", str(root), "--detailed-exitcode")
    assert after.returncode == 0, after.stdout
