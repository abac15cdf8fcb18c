import factory

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.security.models import SecurityEvent


class SecurityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityEvent

    kind = SecurityEvent.Kind.SIGNED_IN
    user = factory.SubFactory(UserFactory)
    ip = "203.0.113.50"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
