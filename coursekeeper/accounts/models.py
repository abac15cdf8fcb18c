"""People: the account, its profile (R3) and the fingerprints of places it signed in from (R2).

Email addresses are unique regardless of case on both databases. SQLite's LOWER() folds only
ASCII, so the address is lower-cased in Python before it is stored (`normalize_email`), and a
unique constraint on LOWER(email) guards the table on PostgreSQL against any other writer.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import (
    COUNTRY_CHOICES,
    LANGUAGE_CHOICES,
    TIME_ZONE_CHOICES,
    Role,
)


def normalize_email(email: str) -> str:
    """Return the stored form of an address: trimmed and lower-cased in full.

    Lower-casing the local part too is deliberate: no provider our learners use treats
    `Anna@` and `anna@` as different mailboxes, and one spelling per person is what makes the
    address unique on SQLite, whose LOWER() ignores non-ASCII letters.
    """
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("role", Role.OWNER)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: learner, instructor or one of the staff roles."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    interests = models.TextField(_("interests"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Copenhagen"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.LEARNER)
    adult_confirmed_at = models.DateTimeField(_("confirmed 18 or older at"), null=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the administration"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def requires_two_factor(self) -> bool:
        """Every role but the learner's works with other people's data (R2)."""
        from coursekeeper.privacy.access.roles import works_with_others_data

        return works_with_others_data(self.role) or self.is_staff or self.is_superuser


class SignInFingerprint(models.Model):
    """A network and browser an account has signed in from, kept only as a keyed hash (R2).

    The hash lets a new sign-in be recognised as new without storing the address or the
    browser string; it cannot be reversed without the key, which lives outside the database.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_fingerprints")
    fingerprint = models.CharField(_("network and browser (keyed hash)"), max_length=64)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fingerprint"], name="accounts_fingerprint_unique_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.fingerprint[:8]}"


class ProfileChange(models.Model):
    """That a person's profile was changed, which fields, and by whom (R27's audit trail).

    Only the field names are kept, never the old values: a correction must not leave the
    wrong data behind in its own audit.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profile_changes")
    at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    fields = models.CharField(_("fields changed"), max_length=500)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"profile change {self.pk}"


class UnlockLink(models.Model):
    """A link, mailed on request, that lifts the sign-in lockouts of one account (R2).

    Only a digest of the link's token is stored, never the token. A link works once and for
    a short while; the row is kept (with `used_at`) until its retention ends, because the
    number of links an account was sent in the last hour is its own rate limit.
    """

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    token_digest = models.CharField(_("link (kept only as a hash)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("link sent at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in unlock link")
        verbose_name_plural = _("sign-in unlock links")

    def __str__(self) -> str:
        # No address: this string may end up in logs.
        return f"unlock link {self.pk}"
