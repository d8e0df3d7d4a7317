"""Signed session cookies (itsdangerous) and CSRF tokens for the web pages."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "cs_session"
CSRF_COOKIE = "cs_csrf"
MAX_AGE = 12 * 3600


def secret_key(explicit: str | None = None) -> str:
    """``CIRCUMSPECT_SECRET_KEY``, else a random key kept in ``$CIRCUMSPECT_HOME/secret_key``."""
    from circumspect import settings

    if explicit:
        return explicit
    value = settings.get("CIRCUMSPECT_SECRET_KEY")
    if value:
        return value
    path: Path = settings.home() / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(key, encoding="utf-8")
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)  # first writer wins across worker processes
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


class Signer:
    def __init__(self, key: str) -> None:
        self._session = URLSafeTimedSerializer(key, salt="circumspect-session")
        self._csrf = URLSafeTimedSerializer(key, salt="circumspect-csrf")

    def dump_session(self, data: dict[str, Any]) -> str:
        return self._session.dumps(data)

    def load_session(self, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            data = self._session.loads(value, max_age=MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def dump_csrf(self, token: str) -> str:
        return self._csrf.dumps(token)

    def load_csrf(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            token = self._csrf.loads(value, max_age=MAX_AGE)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
