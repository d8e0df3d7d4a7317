"""Users, roles and API keys of the case store."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from circumspect.cases.audit import AuditLog
from circumspect.cases.common import (
    KEY_PREFIX,
    CaseStateError,
    UserInfo,
    hash_key,
    iso,
    now,
)
from circumspect.cases.models import (
    User,
)
from circumspect.cases.types import Role, UserRecord, parse_enum
from circumspect.errors import AuthError, InputError, NotFoundError


class Users(AuditLog):
    """Users, roles and API keys of the case store."""

    # -- users -------------------------------------------------------------------------
    def add_user(self, name: str, role: Role | str, *, actor: str = "cli") -> tuple[UserInfo, str]:
        """Create a user; returns the user and the API key (shown once, stored hashed)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InputError("user name must be 1-200 characters", field="name")
        role = parse_enum(Role, role, "role")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self._write.begin() as session:
                if session.execute(select(User).where(User.name == name)).scalar_one_or_none():
                    raise CaseStateError(f"user {name!r} already exists", field="name")
                user = User(
                    name=name,
                    role=role.value,
                    key_hash=hash_key(key),
                    key_prefix=key[:10],
                    active=True,
                    created_at=now(),
                )
                session.add(user)
                session.flush()
                self._audit(session, actor, "user.add", f"user:{name}", {"role": role.value})
                info = UserInfo(user.id, user.name, Role(user.role))
        except IntegrityError as exc:
            raise CaseStateError(f"user {name!r} already exists", field="name") from exc
        return info, key

    def rotate_key(self, name: str, *, actor: str = "cli") -> str:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write.begin() as session:
            user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {name!r}", field="name")
            user.key_hash = hash_key(key)
            user.key_prefix = key[:10]
            self._audit(session, actor, "user.rotate_key", f"user:{name}", {})
        return key

    def set_active(self, name: str, active: bool, *, actor: str = "cli") -> None:
        with self._write.begin() as session:
            user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {name!r}", field="name")
            user.active = active
            action = "user.enable" if active else "user.disable"
            self._audit(session, actor, action, f"user:{name}", {})

    def users(self) -> list[UserRecord]:
        with self._read.begin() as session:
            rows = session.execute(select(User).order_by(User.name)).scalars().all()
            return [
                UserRecord(u.name, Role(u.role), u.active, u.key_prefix, iso(u.created_at))
                for u in rows
            ]

    def session_user(self, user_id: int, key_hash: str) -> UserInfo | None:
        """The active user with this id whose key hash still matches (web sessions)."""
        with self._read.begin() as session:
            user = session.get(User, user_id)
            if user is None or not user.active or user.key_hash != key_hash:
                return None
            return UserInfo(user.id, user.name, Role(user.role))

    def user_by_key_prefix(self, key: str) -> str | None:
        """The user whose key starts like ``key`` (its shown prefix), for rate limiting a
        targeted guess per user name; None when no user's key starts so."""
        if not key.startswith(KEY_PREFIX) or len(key) < 10 or len(key) > 200:
            return None
        with self._read.begin() as session:
            names = (
                session.execute(select(User.name).where(User.key_prefix == key[:10]))
                .scalars()
                .all()
            )
        return names[0] if len(names) == 1 else None

    def authenticate(self, key: str) -> UserInfo:
        """The active user holding this API key, else ``AuthError``."""
        if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise AuthError("invalid API key")
        with self._read.begin() as session:
            user = session.execute(
                select(User).where(User.key_hash == hash_key(key))
            ).scalar_one_or_none()
            if user is None or not user.active:
                raise AuthError("invalid API key")
            return UserInfo(user.id, user.name, Role(user.role))
