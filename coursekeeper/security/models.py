"""The security log: the one place an IP address is kept, with a short declared retention (R24)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out after too many attempts")
        SIGNED_OUT = "signed_out", _("Signed out")
        NEW_PLACE_NOTICE = "new_place_notice", _("Notice of a sign-in from a new place sent")
        SESSION_ENDED = "session_ended", _("A session was ended by its owner")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Two-factor code refused")
        SECOND_FACTOR_LOCKED = (
            "second_factor_locked",
            _("Two-factor sign-in paused after too many wrong codes"),
        )
        UNLOCK_REQUESTED = "unlock_requested", _("A link to lift a sign-in lockout was asked for")
        UNLOCKED = "unlocked", _("Sign-in lockouts lifted through an emailed link")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what happened"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [
            # The two-factor limits count an account's and an address's recent refusals here.
            models.Index(fields=["user", "kind", "at"], name="security_event_user_kind_at"),
            models.Index(fields=["ip", "kind", "at"], name="security_event_ip_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
