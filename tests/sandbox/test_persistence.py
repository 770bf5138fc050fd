"""The state lives in SQLite under the state folder: a restart (or another process) sees it."""

from __future__ import annotations

from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.embedded import run_embedded
from reconciler.sandbox.handle import SandboxHandle
from sandbox.support import GTIN, live_offers


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
