import factory

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.security.models import SecurityEvent


class SecurityEventFactory(factory.django.DjangoModelFactory[SecurityEvent]):
    class Meta:
        model = SecurityEvent

    kind = SecurityEvent.Kind.SIGNED_IN
    user = factory.SubFactory(UserFactory)
    ip = "203.0.113.50"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def rehearse_security_log(user, path):
    """The security log's processing path, ready to run for `user` (privacy.paths)."""
    from coursekeeper.privacy.paths import Rehearsal
    from coursekeeper.security.services import record_security_event

    return Rehearsal(
        run=lambda: record_security_event(
            kind=SecurityEvent.Kind.SIGNED_IN, user=user, ip="203.0.113.9"
        ),
        happened=lambda: SecurityEvent.objects.filter(user=user).exists(),
    )
