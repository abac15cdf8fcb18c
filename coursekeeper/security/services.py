"""Writing the security log, and keeping personal data out of the application log.

Application logs name a person by a pseudonym only (`pseudonym`), never by address, name or
IP; `logfilters.RedactPersonalDataFilter` is the safety net that masks an email or IP address
that slips into an application log line anyway. Addresses go only to `SecurityEvent` rows, which are
declared with their own short retention and erased with the person.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from coursekeeper.security.models import SecurityEvent


def pseudonym(user_id: int | None) -> str:
    """Return a stable pseudonym for log lines: a keyed hash of the account id."""
    if user_id is None:
        return "anonymous"
    digest = hmac.new(
        settings.FINGERPRINT_KEY.encode(), f"log:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"p-{digest[:12]}"


def course_pseudonym(course_id: int, user_id: int) -> str:
    """Return the learner's stable pseudonym within one course (R34): `L-` and six characters.

    A keyed hash of the course and the account: the same learner reads the same in one course
    and differently in another, so two instructors cannot join their lists, and nobody without
    the key can turn a pseudonym back into an account.
    """
    digest = hmac.new(
        settings.FINGERPRINT_KEY.encode(), f"course:{course_id}:{user_id}".encode(), hashlib.sha256
    ).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "L-" + "".join(alphabet[byte % len(alphabet)] for byte in digest[:6])


def token_digest(token: str) -> str:
    """Return what is stored of a link's secret token: its SHA-256, so a dump opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def record_security_event(
    *, kind: str, user=None, ip: str | None = None, user_agent: str = ""
) -> SecurityEvent | None:
    """Write one row of the security log; None when the privacy gate refuses it for the person.

    The log goes on while a person's processing is restricted (`security.privacy.SECURITY_LOG`
    names the exception), so the gate refuses only where the law itself would: a policy in
    effect that does not announce the purpose. An event of nobody known is always written.
    """
    account = user if user is not None and user.pk else None
    if account is not None:
        from coursekeeper.privacy.people import Person
        from coursekeeper.security.privacy import SECURITY_LOG

        if not SECURITY_LOG.ask(Person.for_user(account)):
            return None
    return SecurityEvent.objects.create(
        kind=kind,
        user=account,
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
    )
