"""Open the marketplace a catalog names: the real Octopia API, or the embedded sandbox.

For `marketplace: {sandbox: embedded}` the sandbox keeps its state under
`<catalog root>/.catalog/sandbox`, so a `plan` and a later `apply` (separate processes) see
one marketplace.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from reconciler.catalog.model import Catalog
from reconciler.errors import MarketplaceUnreachable, UsageError
from reconciler.marketplace.auth import Credentials
from reconciler.marketplace.bounded import MAX_ANSWER_BYTES
from reconciler.marketplace.client import MarketplaceClient
from reconciler.marketplace.governor import Limits
from reconciler.state import StateFolder

TIME_BUDGET_VAR = "CATALOG_TIME_BUDGET"  # seconds a run may spend on the marketplace
MAX_ANSWER_VAR = "CATALOG_MAX_ANSWER_MB"  # the longest answer read, in MB (default 64)
# a sandbox config file (YAML/JSON, see reconciler/sandbox/README.md) for the embedded sandbox,
# e.g. to try the client against `offers_readback: documented`
SANDBOX_CONFIG_VAR = "CATALOG_SANDBOX_CONFIG"


def limits_from_env() -> Limits:
    raw = os.environ.get(TIME_BUDGET_VAR)
    if not raw:
        return Limits()
    try:
        budget = float(raw)
    except ValueError:
        budget = 0.0
    if not 0 < budget < math.inf:  # how the tool was started is wrong: a usage error
        raise UsageError(f"{TIME_BUDGET_VAR}={raw[:40]!r} is not a number of seconds above 0")
    return Limits(time_budget=budget)


def max_answer_from_env() -> int:
    raw = os.environ.get(MAX_ANSWER_VAR)
    if not raw:
        return MAX_ANSWER_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = 0.0
    if megabytes <= 0:
        raise MarketplaceUnreachable(f"{MAX_ANSWER_VAR}={raw!r} is not a positive number of MB")
    return int(megabytes * 1024 * 1024)


def sandbox_state_dir(catalog: Catalog) -> Path:
    return StateFolder(catalog.root).sandbox


@contextmanager
def open_marketplace(catalog: Catalog, limits: Limits | None = None) -> Iterator[MarketplaceClient]:
    """A client for the catalog's marketplace, closed (and its sandbox stopped) on exit."""
    limits = limits or limits_from_env()
    settings = catalog.marketplace
    with ExitStack() as stack:
        if settings.sandbox == "embedded":
            api_url, auth_url, credentials = stack.enter_context(_embedded(catalog))
        elif settings.sandbox:
            raise MarketplaceUnreachable(f"unknown sandbox {settings.sandbox!r} (known: embedded)")
        else:
            api_url, auth_url = settings.api_url, settings.auth_url
            credentials = Credentials.from_env()
        client = MarketplaceClient(
            api_url,
            auth_url,
            credentials,
            catalog.seller_id,
            limits=limits,
            max_answer_bytes=max_answer_from_env(),
        )
        yield stack.enter_context(client)


@contextmanager
def _embedded(catalog: Catalog) -> Iterator[tuple[str, str, Credentials]]:
    from reconciler.sandbox.config import SandboxConfig, load_config
    from reconciler.sandbox.embedded import run_embedded

    config = SandboxConfig()
    if os.environ.get(SANDBOX_CONFIG_VAR):
        path = Path(os.environ[SANDBOX_CONFIG_VAR])
        try:
            config = load_config(path)
        except (OSError, ValueError) as err:
            raise MarketplaceUnreachable(f"{SANDBOX_CONFIG_VAR}={path}: {err}") from None
    if catalog.seller_id != config.seller_id:
        config = config.with_overrides(
            seller_id=catalog.seller_id,
            clients=[
                {
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "seller_ids": [catalog.seller_id],
                }
                for c in config.clients
            ],
        )
    state = sandbox_state_dir(catalog)
    with run_embedded(state, config) as sandbox:
        # The embedded sandbox knows only its own client: credentials exported for the real
        # API (a seller trying the demo) must not lock them out of it.
        yield (
            sandbox.api_url,
            sandbox.auth_url,
            Credentials(sandbox.client_id, sandbox.client_secret),
        )
