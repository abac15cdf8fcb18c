"""Every write to a person's account goes through here.

A sign-in from a network and browser the account has not used before sends the owner a notice
(R2). What is remembered of the place is a keyed hash of (network, browser family, operating
system family): the raw address and the browser string are never stored, and without the key the
hash cannot be reversed or compared across accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone
from user_agents import parse as parse_user_agent

from coursekeeper.accounts.choices import LANGUAGE_CHOICES, Role
from coursekeeper.accounts.errors import AccountError
from coursekeeper.accounts.models import ProfileChange, SignInFingerprint, User, normalize_email
from coursekeeper.accounts.privacy import EDIT_PROFILE, SIGN_IN_PLACES
from coursekeeper.privacy.access.roles import uses_administration
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.people import Person
from coursekeeper.security.models import SecurityEvent
from coursekeeper.security.services import pseudonym, record_security_event

logger = logging.getLogger(__name__)

# The fields a person edits on their profile page (R3, R27). Email has its own flow because a new
# address must be verified before it replaces the old one.
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "country",
    "company",
    "job_title",
    "interests",
    "language",
    "time_zone",
)


def complete_registration(
    *, user: User, full_name: str, adult_confirmed: bool, language: str, time_zone: str
) -> User:
    """Fill in what sign-up asks beyond email and password, on a user about to be saved (R1).

    The platform serves adults only: without the confirmation there is no account.
    """
    if not adult_confirmed:
        raise AccountError("adult_confirmation_missing")
    user.full_name = full_name.strip()
    user.email = normalize_email(user.email)
    user.adult_confirmed_at = timezone.now()
    user.language = language if language in dict(LANGUAGE_CHOICES) else "en"
    user.time_zone = time_zone
    user.role = Role.LEARNER
    return user


@transaction.atomic
def update_profile(*, user: User, acting_user: User, changes: dict[str, object]) -> list[str]:
    """Apply a person's own edits to their profile and return the names of changed fields."""
    if acting_user.pk != user.pk:
        raise AccountError("not_your_profile")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise AccountError("unknown_profile_fields")
    if not EDIT_PROFILE.ask(Person.for_user(user)):
        raise AccountError("processing_refused")
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.full_clean(exclude=["password", "email"])
        user.save(update_fields=changed)
        ProfileChange.objects.create(
            user=user, fields=",".join(sorted(changed)), changed_by=acting_user
        )
        logger.info(
            "profile updated person=%s fields=%s", pseudonym(user.pk), ",".join(sorted(changed))
        )
    return changed


def remember_language(*, user: User, language: str) -> None:
    """Store the interface language a signed-in person chose."""
    if language not in dict(LANGUAGE_CHOICES):
        raise AccountError("unknown_language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def assign_role(*, user: User, role: str, acting_user: User) -> User:
    """Give a person a role; the roles whose work is in the administration may use it (2FA)."""
    if role not in Role.values:
        raise AccountError("unknown_role")
    previous = user.role
    user.role = role
    user.is_staff = uses_administration(role)
    user.save(update_fields=["role", "is_staff"])
    if previous != role:
        record_staff_change(
            acting_user=acting_user,
            obj=user,
            action=CHANGE,
            message=[{"changed": {"fields": [f"role ({previous} → {role})"]}}],
        )
    logger.info(
        "role assigned person=%s role=%s by=%s", pseudonym(user.pk), role, pseudonym(acting_user.pk)
    )
    return user


def _network_of(ip: str) -> str:
    """Return the network an address belongs to: /24 for IPv4, /48 for IPv6."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def describe_device(user_agent: str) -> tuple[str, str]:
    """Return (browser family, operating system family) as a person would name them."""
    parsed = parse_user_agent(user_agent or "")
    return parsed.browser.family or "Other", parsed.os.family or "Other"


def sign_in_fingerprint(*, user: User, ip: str, user_agent: str) -> str:
    browser, operating_system = describe_device(user_agent)
    message = f"{user.pk}|{_network_of(ip)}|{browser}|{operating_system}".encode()
    return hmac.new(settings.FINGERPRINT_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def record_sign_in(*, user: User, ip: str, user_agent: str) -> bool:
    """Remember where the account signed in from; return True when that place is new.

    The very first sign-in of an account is not "new" to anyone, so it sends no notice; nor
    does a sign-in the privacy gate refuses to remember (it goes on under a restriction).
    """
    if not SIGN_IN_PLACES.ask(Person.for_user(user)):
        return False
    fingerprint = sign_in_fingerprint(user=user, ip=ip, user_agent=user_agent)
    now = timezone.now()
    updated = SignInFingerprint.objects.filter(user=user, fingerprint=fingerprint).update(
        last_seen_at=now
    )
    if updated:
        return False
    had_others = SignInFingerprint.objects.filter(user=user).exists()
    SignInFingerprint.objects.create(
        user=user, fingerprint=fingerprint, first_seen_at=now, last_seen_at=now
    )
    return had_others


def end_session(*, user: User, session_id: int) -> None:
    """End one of the person's own sessions, wherever it is (R27, ASVS V7)."""
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise AccountError("session_not_found")
    session.end()
    record_security_event(kind=SecurityEvent.Kind.SESSION_ENDED, user=user)
