"""Security headers on every response, and the sign-in rate limiter.

:class:`SecurityHeaders` is a pure ASGI middleware: every page, API answer, error and static
file leaves with ``Content-Security-Policy`` (``frame-ancestors 'none'``),
``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
``X-Frame-Options: DENY``. JSON answers get ``default-src 'none'``; HTML pages may load only
their own scripts and styles; the OpenAPI pages (``/docs``, ``/redoc``) may also load the
Swagger/ReDoc assets FastAPI takes from cdn.jsdelivr.net.

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
from typing import Any

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"

COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def policy_for(path: str, content_type: str) -> str:
    """The Content-Security-Policy of a response."""
    if path in ("/docs", "/redoc") or path.startswith("/docs/"):
        return DOCS_CSP
    if content_type.startswith("text/html"):
        return PAGE_CSP
    return API_CSP


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                ctype = next(
                    (v.decode("latin-1") for n, v in headers if n.lower() == b"content-type"), ""
                )
                extra = [(n, v) for n, v in COMMON if n not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", policy_for(path, ctype).encode()))
                message = dict(message, headers=headers + extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
