"""Test factories for the accounts app; people carry a random token in every identifier."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.models import ProfileChange, SignInFingerprint, UnlockLink, User

PASSWORD = "correct horse battery staple"  # noqa: S105 - test password


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        token = factory.LazyFunction(lambda: secrets.token_hex(5))

    email = factory.LazyAttribute(lambda o: f"person-{o.token}@example.org")
    full_name = factory.LazyAttribute(lambda o: f"Test Person {o.token}")
    phone = factory.LazyAttribute(lambda o: f"+45 {int(o.token, 16) % 10**8:08d}")
    language = "en"
    time_zone = "Europe/Copenhagen"
    role = Role.LEARNER
    adult_confirmed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the manager, so the address is normalised the way every real account's is.
        email = kwargs.pop("email")
        return model_class.objects.create_user(email, None, **kwargs)

    @factory.post_generation
    def password(user: User, create: bool, extracted: str | None, **kwargs) -> None:
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(user: User, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


class StaffFactory(UserFactory):
    role = Role.SUPPORT
    is_staff = True


class SignInFingerprintFactory(factory.django.DjangoModelFactory[SignInFingerprint]):
    class Meta:
        model = SignInFingerprint

    user = factory.SubFactory(UserFactory)
    fingerprint = factory.LazyFunction(lambda: secrets.token_hex(32))


# Not DjangoModelFactory[...]: the many-to-many's own model has no name to give mypy.
class UserGroupLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User.groups.through

    user = factory.SubFactory(UserFactory)
    group = factory.LazyFunction(lambda: Group.objects.get_or_create(name="Support")[0])


# Not DjangoModelFactory[...]: the many-to-many's own model has no name to give mypy.
class UserPermissionLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User.user_permissions.through

    user = factory.SubFactory(UserFactory)
    permission = factory.LazyFunction(lambda: Permission.objects.order_by("pk").first())


class ProfileChangeFactory(factory.django.DjangoModelFactory[ProfileChange]):
    class Meta:
        model = ProfileChange

    user = factory.SubFactory(UserFactory)
    fields = "full_name,phone"


class UnlockLinkFactory(factory.django.DjangoModelFactory[UnlockLink]):
    class Meta:
        model = UnlockLink

    user = factory.SubFactory(UserFactory)
    token_digest = factory.LazyFunction(lambda: secrets.token_hex(32))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def rehearse_edit_profile(user, path):
    from coursekeeper.accounts.services import update_profile
    from coursekeeper.privacy.paths import Rehearsal

    return Rehearsal(
        run=lambda: update_profile(user=user, acting_user=user, changes={"city": "Odense C"}),
        happened=lambda: User.objects.filter(pk=user.pk, city="Odense C").exists(),
    )


def rehearse_sign_in_places(user, path):
    from coursekeeper.accounts.services import record_sign_in
    from coursekeeper.privacy.paths import Rehearsal

    return Rehearsal(
        run=lambda: record_sign_in(
            user=user,
            ip="203.0.113.9",
            user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        happened=lambda: SignInFingerprint.objects.filter(user=user).exists(),
    )
