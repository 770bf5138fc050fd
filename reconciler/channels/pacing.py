"""How patiently an apply waits for the marketplace to integrate a package."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.client import MarketplaceRefused


@dataclass(frozen=True, slots=True)
class Pacing:
    """Poll after `first` seconds, then `factor` times longer each time, never more than `cap`."""

    first: float = 0.5
    factor: float = 1.5
    cap: float = 10.0
    timeout: float = 3600.0  # a package still integrating after this is reported, not awaited
    lost_polls: int = 5  # polls in a row that may fail (connection lost) before giving up

    def delays(self, sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
        """Yield before each poll, having slept the back-off; stop at the timeout."""
        waited = 0.0
        delay = self.first
        while waited <= self.timeout:
            sleep(delay)
            waited += delay
            yield None
            delay = min(self.cap, delay * self.factor)
        raise MarketplaceUnreachable(
            f"package still integrating after {self.timeout:.0f}s; the next apply will follow it"
        )

    def follow(
        self,
        fetch: Callable[[], dict[str, Any]],
        done: Callable[[dict[str, Any]], bool],
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Poll `fetch` on this back-off until `done` says the package ended.

        A lost connection while polling is no reason to give up: the package integrates
        whether or not we are watching, so only `lost_polls` failures in a row end the wait.
        A refusal (4xx) is final at once.
        """
        lost = 0
        for _ in self.delays(sleep):
            try:
                answer = fetch()
            except MarketplaceRefused:
                raise
            except MarketplaceUnreachable:
                lost += 1
                if lost > self.lost_polls:
                    raise
                continue
            lost = 0
            if done(answer):
                return answer
        raise AssertionError("unreachable: Pacing.delays raises at its timeout")
