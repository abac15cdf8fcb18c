"""A person as the privacy machinery sees them: an account, identifiers, or both."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model

from coursekeeper.accounts.models import normalize_email


@dataclass(frozen=True)
class Person:
    """Whom a request, an export or an erasure is about.

    A visitor who only used the contact form has no account, only an email address; a learner
    has both, and every address they ever verified counts as theirs.
    """

    user_id: int | None = None
    emails: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user) -> Person:
        from allauth.account.models import EmailAddress

        addresses = {normalize_email(user.email)}
        addresses.update(
            normalize_email(e)
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        )
        return cls(user_id=user.pk, emails=frozenset(addresses))

    @classmethod
    def for_email(cls, email: str) -> Person:
        from coursekeeper.accounts.models import User

        user = User.objects.filter(email=normalize_email(email)).first()
        if user is not None:
            return cls.for_user(user)
        return cls(user_id=None, emails=frozenset({normalize_email(email)}))

    @classmethod
    def for_account_or_email(cls, user, email: str) -> Person:
        """Return the person of `user` when there is one, else of the address (a guest)."""
        if user is not None and user.pk is not None:
            return cls.for_user(user)
        return cls.for_email(email)

    @property
    def user_model(self):
        return get_user_model()

    @cached_property
    def user(self):
        if self.user_id is None:
            return None
        return self.user_model._base_manager.get(pk=self.user_id)

    @property
    def primary_email(self) -> str:
        return sorted(self.emails)[0] if self.emails else ""
