"""The state lives in SQLite under the state folder: a restart (or another process) sees it."""

from __future__ import annotations

import httpx

from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.embedded import run_embedded
from reconciler.sandbox.handle import SandboxHandle
from sandbox.support import GTIN, live_offers, new_package, request, wait_state


def test_offers_and_tokens_survive_a_restart(tmp_path):
    config = SandboxConfig(integration_delay=0)
    with run_embedded(tmp_path, config) as first:
        market = SandboxHandle(first)
        market.seed_offers(
            [
                {
                    "sellerExternalReference": "KEPT",
                    "salesChannelId": "SELLZZ",
                    "product": {"gtin": GTIN},
                    "integrationPrice": {"price": 5},
                }
            ]
        )
        headers = market.headers()
        market.close()
    with run_embedded(tmp_path, config) as second:
        market = SandboxHandle(second)
        with market.client() as api:
            api.headers.update(headers)  # the token issued before the restart
            assert list(live_offers(api)) == ["KEPT"]
        market.close()


def test_a_package_submitted_before_a_restart_is_integrated_after_it(tmp_path):
    with run_embedded(tmp_path, SandboxConfig(integration_delay=0.5)) as first:
        market = SandboxHandle(first)
        market.seed_products([GTIN])
        with market.client("SELLZZ") as api:
            pid = new_package(api)
            api.post(f"/offer-packages/{pid}/offer-requests", json=[request()])
            api.patch(f"/offer-packages/{pid}", json={"state": "Ready"})
            assert api.get(f"/offer-packages/{pid}").json()["state"] != "Integrated"
            headers = dict(api.headers)
        market.close()
    with (
        run_embedded(tmp_path, SandboxConfig(integration_delay=0.5)) as second,
        httpx.Client(base_url=second.api_url, headers=headers) as api,
    ):
        assert wait_state(api, f"/offer-packages/{pid}")["state"] == "Integrated"
        assert list(live_offers(api)) == ["SKU-1"]
