"""Reads about people that views use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coursekeeper.accounts.models import User
from coursekeeper.accounts.services import describe_device


@dataclass(frozen=True)
class ActiveSession:
    id: int
    browser: str
    operating_system: str
    started_at: datetime
    last_seen_at: datetime
    is_current: bool


def active_sessions(*, user: User, current_session_key: str | None) -> list[ActiveSession]:
    """Return the person's sessions that still exist, newest activity first.

    Sessions that ended on their own (expired, signed out) are purged on the way.
    """
    from allauth.usersessions.models import UserSession

    sessions = UserSession.objects.purge_and_list(user)
    result = []
    for session in sessions:
        browser, operating_system = describe_device(session.user_agent)
        result.append(
            ActiveSession(
                id=session.pk,
                browser=browser,
                operating_system=operating_system,
                started_at=session.created_at,
                last_seen_at=session.last_seen_at,
                is_current=session.session_key == current_session_key,
            )
        )
    return sorted(result, key=lambda s: (not s.is_current, -s.last_seen_at.timestamp()))


def has_two_factor(user: User) -> bool:
    """Return whether the person has an authenticator app set up."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def recent_profile_changes(*, user, limit: int = 10) -> list[tuple[object, list[str]]]:
    """Return the person's latest profile changes with the changed fields' names."""
    from coursekeeper.accounts.models import User

    names = {f.name: str(f.verbose_name) for f in User._meta.concrete_fields}
    return [
        (change, [names.get(name, name) for name in change.fields.split(",") if name])
        for change in user.profile_changes.all()[:limit]
    ]
