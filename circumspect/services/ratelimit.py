"""The sign-in rate limiter.

:class:`RateLimiter` counts failed sign-ins per client address and per user name in a sliding
window (``CIRCUMSPECT_LOGIN_MAX_FAILURES`` within ``CIRCUMSPECT_LOGIN_WINDOW`` seconds);
over the limit the sign-in answers 429 with ``Retry-After`` without checking the key, so
guessing keys and flooding the audit log are both bounded.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable


class RateLimiter:
    """Failures per key (``addr:1.2.3.4``, ``user:alice``) in a sliding window, thread-safe."""

    def __init__(
        self,
        max_failures: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def blocked(self, keys: Iterable[str]) -> float:
        """Seconds until the first of ``keys`` may try again; 0 when none is over the limit."""
        if self.max_failures <= 0:
            return 0.0
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                hits = self._recent(key, now)
                if len(hits) >= self.max_failures:
                    wait = max(wait, hits[0] + self.window - now)
        return wait

    def fail(self, keys: Iterable[str]) -> None:
        """Count one failure against each key."""
        now = self.clock()
        with self._lock:
            if len(self._hits) > 100_000:  # bounded memory under a spray of addresses
                for key in list(self._hits):
                    self._recent(key, now)
            for key in keys:
                self._hits.setdefault(key, deque()).append(now)

    def reset(self, keys: Iterable[str]) -> None:
        """Forget the failures of ``keys`` (after a successful sign-in)."""
        with self._lock:
            for key in keys:
                self._hits.pop(key, None)
