from coursekeeper.privacy.declarations import Account, After, Category, Event, declare
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
    source="use",
    notes="The security log: the only place an IP address is kept.",
)
