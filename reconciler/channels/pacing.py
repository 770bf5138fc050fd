"""How patiently an apply waits for the marketplace to integrate a package."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reconciler.errors import MarketplaceUnreachable


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
