"""The cookie registry (what the site may store on a device, and why) and the log of choices.

The registry is data, not code: every cookie and browser-storage key the platform or an embedded
third party may set is a `RegistryEntry` row, with its category. Its content, hashed, is the
registry version (`coursekeeper.cookies.registry.registry_version`); a choice is valid only for
the version it was made for, so any change to the registry asks everyone again.

A `CookieChoice` row is the proof of one choice made on one device: which optional categories
were accepted, for which registry version, in which language, how and when. It holds no IP
address and no browser details; a signed-in person's choice is linked to their account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", _("Necessary")
    PREFERENCES = "preferences", _("Preferences")
    STATISTICS = "statistics", _("Statistics")
    MARKETING = "marketing", _("Marketing")


# The categories a person may accept or refuse; necessary ones are always on.
OPTIONAL_CATEGORIES: tuple[str, ...] = (
    CookieCategory.PREFERENCES,
    CookieCategory.STATISTICS,
    CookieCategory.MARKETING,
)


class StorageKind(models.TextChoices):
    COOKIE = "cookie", _("Cookie")
    LOCAL_STORAGE = "local_storage", _("Local storage")
    SESSION_STORAGE = "session_storage", _("Session storage")


class RegistryEntry(models.Model):
    """One cookie or browser-storage key the site (or a third party it embeds) may set.

    A name ending in `*` stands for every name with that prefix (third parties number theirs).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=StorageKind.choices, default=StorageKind.COOKIE
    )
    category = models.CharField(_("category"), max_length=16, choices=CookieCategory.choices)
    provider = models.CharField(
        _("provider"),
        max_length=200,
        blank=True,
        help_text=_("Who sets it; empty for this site itself."),
    )
    first_party = models.BooleanField(_("set by this site"), default=True)
    purpose_en = models.TextField(_("purpose (English)"))
    purpose_da = models.TextField(_("purpose (Danish)"), blank=True)
    purpose_de = models.TextField(_("purpose (German)"), blank=True)
    duration_seconds = models.PositiveIntegerField(
        _("kept for (seconds)"),
        null=True,
        blank=True,
        help_text=_("Empty: until the browser is closed."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "kind"]
        verbose_name = _("cookie registry entry")
        verbose_name_plural = _("cookie registry")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "kind", "provider"], name="cookies_registry_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def purpose(self) -> str:
        """Return the purpose in the active language, English where no translation is given."""
        language = (get_language() or "en")[:2]
        return getattr(self, f"purpose_{language}", "") or self.purpose_en

    def matches(self, name: str) -> bool:
        """Return whether a stored key called `name` is this entry."""
        if self.name.endswith("*"):
            return name.startswith(self.name[:-1])
        return name == self.name


class CookieChoice(models.Model):
    """The proof of one cookie choice made on one device (R23): what, for which registry, how.

    A later choice on the same device replaces this one in the device's choice cookie; the row
    stays as the proof of what was allowed while it was in force, until `proof_release_at`
    (the choice's lifetime plus the limitation period of the provider's country).
    """

    class Method(models.TextChoices):
        ACCEPT_ALL = "accept_all", _("Accept all")
        REJECT_ALL = "reject_all", _("Reject all")
        CHOOSE = "choose", _("Chose categories")
        EMBED = "embed", _("Allowed from a video placeholder")

    choice_id = models.CharField(_("choice id"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    registry_version = models.CharField(_("registry version"), max_length=16)
    preferences = models.BooleanField(_("preferences accepted"), default=False)
    statistics = models.BooleanField(_("statistics accepted"), default=False)
    marketing = models.BooleanField(_("marketing accepted"), default=False)
    method = models.CharField(_("how it was made"), max_length=16, choices=Method.choices)
    language = models.CharField(_("language"), max_length=8)
    made_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)
    proof_release_at = models.DateTimeField(_("proof kept until"), db_index=True)

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("cookie choice")
        verbose_name_plural = _("cookie choices")

    def __str__(self) -> str:
        return f"cookie choice {self.choice_id}"

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(c for c in OPTIONAL_CATEGORIES if getattr(self, c))
