"""How the declaration reads to a person: retention and categories in plain, translated words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coursekeeper.privacy.declarations import (
    After,
    AfterRelationshipEnds,
    Category,
    Hold,
    Retention,
    WhileAccountExists,
    registry,
)


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
    if isinstance(retention, Hold) and retention.law_column:
        return _(
            "as long as the law or professional duty named for it requires, for the number of "
            "years given with it"
        )
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
    if isinstance(retention, AfterRelationshipEnds):
        years = retention.years()
        text = ngettext(
            "%(count)d year after the customer relationship ends (your last sign-in, purchase "
            "or paid access, whichever is latest)",
            "%(count)d years after the customer relationship ends (your last sign-in, purchase "
            "or paid access, whichever is latest)",
            years,
        ) % {"count": years}
        if retention.dated is not None:
            text = f"{text}; {retention_text(retention.dated)}"
        return text
    return str(retention.describe())


# --- Stored codes in words (for `Reading.shown_as`) ----------------------------------------------


def purpose_title(code: str | None) -> str:
    """Return a purpose's title ("Newsletter") for its stored code; an unknown code as it is."""
    from coursekeeper.privacy.purposes import ALL_PURPOSES

    if not code:
        return ""
    purpose = ALL_PURPOSES.get(code)
    return str(purpose.title) if purpose is not None else code


def category_names(codes) -> str:
    """Return stored category codes as their names ("Identity, Contact details")."""
    labels = dict(Category.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or ())


def kind_of_record(content_type) -> str:
    """Return what a person calls the rows of a model ("Orders"), given its content type."""
    if content_type is None:
        return ""
    model = content_type.model_class()
    declaration = registry.get(model) if model is not None else None
    if declaration is None:
        return content_type.name
    return declaration.plural_name[:1].upper() + declaration.plural_name[1:]


def staff_name(user) -> str:
    """Return a staff member's name, or "a former staff member" once their account is gone."""
    if user is None:
        return _("a former staff member")
    return user.full_name or user.email


def field_labels(model, names: str | None) -> str:
    """Return stored field names ("full_name,phone") as their labels ("Full name, Phone")."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    labels = []
    for name in filter(None, (names or "").split(",")):
        try:
            labels.append(capfirst(str(model._meta.get_field(name).verbose_name)))
        except FieldDoesNotExist:
            labels.append(name)
    return ", ".join(labels)
