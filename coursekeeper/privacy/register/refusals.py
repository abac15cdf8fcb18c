"""The register's refusals: the messages of `RegisterError`, and who may keep the register.

Every service of the register refuses with a `RegisterError` naming the form field it is about,
and changes nothing when it does.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from coursekeeper.privacy.access.roles import KEEP_REGISTER, can
from coursekeeper.privacy.errors import PrivacyError

MESSAGES = {
    "not_allowed": gettext_lazy("Your role does not allow this."),
    "record_incomplete": gettext_lazy(
        "The record of processing cannot be exported until the provider details name the "
        "controller: fill in %(missing)s."
    ),
    "name_needed": gettext_lazy("Give the recipient's name."),
    "role_unknown": gettext_lazy("Choose the recipient's role from the list."),
    "service_needed": gettext_lazy("Say what the recipient does with the data."),
    "location_needed": gettext_lazy("Say where the recipient processes the data."),
    "purpose_unknown": gettext_lazy("Choose purposes from the list only."),
    "category_unknown": gettext_lazy("Choose categories of data from the list only."),
    "purposes_needed": gettext_lazy(
        "Tick the purposes %(name)s receives data for: a recipient may use the data only for "
        "our purposes."
    ),
    "categories_needed": gettext_lazy("Tick the categories of data %(name)s receives."),
    "safeguard_unknown": gettext_lazy("Choose the transfer safeguard from the list."),
    "safeguard_needed": gettext_lazy(
        "%(name)s processes the data outside the EU/EEA, so the transfer needs a safeguard: "
        "choose an adequacy decision, standard contractual clauses or the EU-US Data Privacy "
        "Framework. Nothing was saved."
    ),
    "safeguard_not_needed": gettext_lazy(
        "A transfer safeguard is only for a recipient outside the EU/EEA: tick “outside the "
        "EU/EEA”, or choose “none needed”."
    ),
    "agreement_needed": gettext_lazy(
        "A processor works for us under a data-processing agreement (GDPR Art. 28(3)): give "
        "the date it was signed."
    ),
    "arrangement_needed": gettext_lazy(
        "Joint controllers need an arrangement between them (GDPR Art. 26): give the date it "
        "was agreed."
    ),
    "agreement_in_future": gettext_lazy("The agreement cannot be signed in the future."),
    "recipient_not_found": gettext_lazy("There is no such recipient."),
    "language_unknown": gettext_lazy("Choose the language for notices from the list."),
    "authority_unknown": gettext_lazy(
        "Choose the authority from the list; add it as a recipient with the role “public "
        "authority” first if it is missing."
    ),
    "disclosure_categories_needed": gettext_lazy("Tick the categories of data you disclosed."),
    "order_reference_needed": gettext_lazy(
        "Give the legal order's reference and the law it rests on."
    ),
    "date_in_future": gettext_lazy("The date cannot be in the future."),
    "disclosed_before_order": gettext_lazy(
        "The data cannot have been disclosed before the order was made."
    ),
    "email_needed": gettext_lazy("Give the email address of the person the order is about."),
    "nobody_with_email": gettext_lazy(
        "We hold no data about %(email)s; check the address. Nothing was recorded."
    ),
}


class RegisterError(PrivacyError):
    """A refusal of the register's services: a translated message, and the form field it is
    about (`field_name`; None: the whole form). Nothing was changed."""

    messages = MESSAGES


def check_allowed(acting_user) -> None:
    """Refuse anyone whose role does not keep the register."""
    if acting_user is None or not can(acting_user, KEEP_REGISTER):
        raise RegisterError("not_allowed")
