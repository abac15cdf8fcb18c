"""How the declaration reads to a person: retention and categories in plain, translated words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coursekeeper.privacy.declarations import After, Hold, Retention, WhileAccountExists


def retention_text(retention: Retention) -> str:
    """Return e.g. "2 years after your last contact with us" in the active language."""
    if isinstance(retention, After) and retention.explanation is not None:
        return str(retention.explanation)  # a column the app computes from several rules
    if isinstance(retention, After) and retention.rule:
        laws = "; ".join(retention.laws())
        if retention.rule == "limitation":
            return _("for the limitation period for legal claims after %(event)s (%(laws)s)") % {
                "event": retention.event.label,
                "laws": laws,
            }
        return _("as long as the law requires after %(event)s (%(laws)s)") % {
            "event": retention.event.label,
            "laws": laws,
        }
    if isinstance(retention, After):
        event = retention.event.label
        if retention.years:
            return ngettext(
                "%(count)d year after %(event)s",
                "%(count)d years after %(event)s",
                retention.years,
            ) % {"count": retention.years, "event": event}
        if retention.days:
            return ngettext(
                "%(count)d day after %(event)s",
                "%(count)d days after %(event)s",
                retention.days,
            ) % {"count": retention.days, "event": event}
        return _("until %(event)s") % {"event": event}  # "until it expires"
    if isinstance(retention, Hold):
        laws = "; ".join(retention.laws())
        if retention.rule == "limitation":
            return _("until the limitation period for legal claims has run out (%(laws)s)") % {
                "laws": laws
            }
        if retention.rule == "bookkeeping":
            return _("as long as the bookkeeping law requires (%(laws)s)") % {"laws": laws}
        return _("as long as the law requires (%(laws)s)") % {"laws": laws}
    if isinstance(retention, WhileAccountExists):
        return _("as long as you have an account")
    return str(retention.describe())
