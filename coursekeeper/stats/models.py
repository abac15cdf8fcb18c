"""First-party statistics (R24): counts only, never a visitor.

A page view adds one to the count of its day, page (the route's name, never the address with
its ids) and language. No cookie is read or set for it, and no IP address, browser detail or
account is stored anywhere: the count cannot be traced back to anyone, so it needs no consent.

What is read from the device by script — the screen's width, in four broad steps — is counted
only on devices that accepted statistics cookies, and also only as a count per day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageViewCount(models.Model):
    day = models.DateField(_("day"))
    route = models.CharField(_("page"), max_length=150)
    language = models.CharField(_("language"), max_length=8)
    views = models.PositiveBigIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["day", "route", "language"]
        verbose_name = _("page view count")
        verbose_name_plural = _("page view counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "route", "language"], name="stats_page_view_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.route} {self.language}: {self.views}"


class ScreenBucket(models.TextChoices):
    UNDER_600 = "under_600", _("Narrower than 600 pixels")
    FROM_600 = "600_1023", _("600 to 1023 pixels")
    FROM_1024 = "1024_1439", _("1024 to 1439 pixels")
    FROM_1440 = "1440_up", _("1440 pixels or wider")


class ScreenSizeCount(models.Model):
    day = models.DateField(_("day"))
    bucket = models.CharField(_("screen width"), max_length=16, choices=ScreenBucket.choices)
    reports = models.PositiveBigIntegerField(_("browser sessions"), default=0)

    class Meta:
        ordering = ["day", "bucket"]
        verbose_name = _("screen size count")
        verbose_name_plural = _("screen size counts")
        constraints = [
            models.UniqueConstraint(fields=["day", "bucket"], name="stats_screen_size_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.bucket}: {self.reports}"
