from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.declarations import DELETE, Account, After, Category, Event, declare
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import processing_path
from coursekeeper.privacy.purposes import SECURITY
from coursekeeper.security.models import SecurityEvent

declare(
    SecurityEvent,
    subject=Account("user"),
    purposes=[SECURITY],
    fields={
        "at": Category.TECHNICAL,
        "kind": Category.TECHNICAL,
        "user": Category.IDENTITY,
        "ip": Category.TECHNICAL,
        "user_agent": Category.TECHNICAL,
    },
    retention=After(Event.CREATED, column="at", days=30),
    erasure=DELETE,
    source="use",
    notes="The security log: the only place an IP address is kept.",
)

SECURITY_LOG = processing_path(
    SECURITY,
    name="security.security_log",
    title=_("logging sign-ins, failed attempts and ended sessions"),
    where="coursekeeper.security.services.record_security_event",
    rehearsal="coursekeeper.security.factories.rehearse_security_log",
    # Without the log a break-in into the person's account, or from it into others', could be
    # neither stopped nor investigated: the security of processing requires it (Art. 32(1)(b),
    # (d)), as does documenting a breach (Art. 33(5)).
    exception=DespiteRestriction.LEGAL_OBLIGATION,
)
