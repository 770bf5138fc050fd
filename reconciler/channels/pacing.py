"""How patiently an apply waits for the marketplace to integrate a package.

Every status poll is a call against the seller's call volume quota (~600 calls in a few
minutes, API.md), the same quota uploads need. So polls start quick (a small package is done in
seconds), back off to the 30-60 s range, and go straight to the slowest pace once the calls of
the quota window pass the polling share (Governor.poll_delay). Nothing polls past the run's
time budget: the package goes on integrating, and the next apply follows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.client import MarketplaceRefused
from reconciler.marketplace.governor import BudgetExhausted, Governor


@dataclass(frozen=True, slots=True)
class Pacing:
    """Poll after `first` seconds, then `factor` times longer each time, never more than `cap`.

    The default climbs 0.5, 0.75, 1.1 ... to 43 s then 60 s: a dozen polls in the first two
    minutes, one a minute after that. Tests inject a quicker one.
    """

    first: float = 0.5
    factor: float = 1.5
    cap: float = 60.0
    timeout: float = 3600.0  # a package still integrating after this is reported, not awaited
    lost_polls: int = 5  # polls in a row that may fail (connection lost) before giving up

    def follow(
        self,
        fetch: Callable[[], dict[str, Any]],
        done: Callable[[dict[str, Any]], bool],
        sleep: Callable[[float], None] = time.sleep,
        governor: Governor | None = None,
        what: str = "package",
    ) -> dict[str, Any]:
        """Poll `fetch` on this back-off until `done` says the package ended.

        A lost connection while polling is no reason to give up: the package integrates
        whether or not we are watching, so only `lost_polls` failures in a row end the wait.
        A refusal (4xx) is final at once, and so is the end of the time budget.
        """
        lost, waited, delay, state = 0, 0.0, self.first, "integrating"
        while True:
            if governor is not None:
                delay = governor.poll_delay(delay, self.cap)
                if delay >= governor.remaining():
                    raise BudgetExhausted(
                        f"{what} still {state} when the time budget of "
                        f"{governor.limits.time_budget:.0f}s ran out; the next apply follows it"
                    )
            if waited + delay > self.timeout:
                raise MarketplaceUnreachable(
                    f"{what} still {state} after {self.timeout:.0f}s; the next apply follows it"
                )
            sleep(delay)
            waited += delay
            delay = min(self.cap, delay * self.factor)
            try:
                answer = fetch()
            except (MarketplaceRefused, BudgetExhausted):
                raise
            except MarketplaceUnreachable:
                lost += 1
                if lost > self.lost_polls:
                    raise
                continue
            lost = 0
            if done(answer):
                return answer
            state = str(answer.get("state") or state)
