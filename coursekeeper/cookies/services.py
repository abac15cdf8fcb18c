"""Recording a cookie choice: the log row (the proof) and the device's choice cookie.

How this relates to the consent ledger (`coursekeeper.privacy.consents`). A cookie choice is a
consent under ePrivacy Art. 5(3), and it belongs to the *device* it was made on: the law asks
before storing on or reading from a terminal, so a choice made on a phone allows nothing on a
laptop. The ledger records a *person's* consent and needs an account or an address, which most
visitors who answer the banner do not give. So cookie choices have their own log, `CookieChoice`,
with the ledger's proof fields — what (the categories), which words (the registry version the
choice was made for; the registry's rows are the words shown), the language, how, when — and a
withdrawal is simply the device's next choice, logged the same way. The log holds no IP address
and no browser details; a signed-in person's choice is linked to their account (and appears in
their copy of their data). Proofs are kept for the choice's lifetime plus the limitation period
of the provider's country (R46), like the ledger's.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from coursekeeper.cookies.consent import SIGNING_SALT, DeviceChoice
from coursekeeper.cookies.errors import CookieChoiceError
from coursekeeper.cookies.models import OPTIONAL_CATEGORIES, CookieChoice, RegistryEntry
from coursekeeper.cookies.registry import registry_version
from coursekeeper.cookies.seed import CHOICE_COOKIE_AGE, CHOICE_COOKIE_NAME

logger = logging.getLogger(__name__)

# The limitation rule pack (LEGAL.md) that decides how long a proof is kept.
LIMITATION_RULE = "limitation"


def _proof_country() -> str:
    from coursekeeper.privacy.models import ProviderSettings
    from coursekeeper.privacy.rules import RULE_PACKS

    country = ProviderSettings.load().country
    return country if country in RULE_PACKS else "DK"


@transaction.atomic
def record_choice(
    *, accepted: Iterable[str], method: str, language: str, user=None
) -> CookieChoice:
    """Log a cookie choice for the current registry version and return it.

    `accepted` names the optional categories the person accepted (an empty set is a refusal
    of all of them, which is recorded just the same). Raise CookieChoiceError for an unknown
    category or method; nothing is stored then.
    """
    from coursekeeper.privacy.rules import release_date

    accepted = frozenset(accepted)
    if not accepted <= set(OPTIONAL_CATEGORIES):
        raise CookieChoiceError("unknown_category")
    if method not in CookieChoice.Method.values:
        raise CookieChoiceError("no_choice")
    now = timezone.now()
    choice = CookieChoice.objects.create(
        choice_id=secrets.token_urlsafe(16),
        user=user if user is not None and user.is_authenticated else None,
        registry_version=registry_version(),
        method=method,
        language=language[:8],
        made_at=now,
        proof_release_at=release_date(
            country=_proof_country(),
            rule=LIMITATION_RULE,
            event_at=now + dt.timedelta(seconds=CHOICE_COOKIE_AGE),
        ),
        **{category: category in accepted for category in OPTIONAL_CATEGORIES},
    )
    logger.info(
        "cookie choice recorded method=%s accepted=%s",
        method,
        "+".join(sorted(accepted)) or "none",
    )
    return choice


def remember_choice(
    response: HttpResponse, choice: CookieChoice, *, previously: frozenset[str] = frozenset()
) -> HttpResponse:
    """Put the choice in the device's (necessary) choice cookie; clear what was withdrawn.

    `previously` is what the device allowed before: for each category now refused, this site's
    own cookies of that category are deleted and the browser is told to clear this site's
    storage (`Clear-Site-Data`; the site keeps nothing necessary there). A third party's
    cookies live under its own domain, out of this site's reach: the cookie page says so.
    """
    device_choice = DeviceChoice(
        version=choice.registry_version, accepted=choice.accepted, choice_id=choice.choice_id
    )
    response.set_signed_cookie(
        CHOICE_COOKIE_NAME,
        device_choice.cookie_value(),
        salt=SIGNING_SALT,
        max_age=CHOICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    withdrawn = previously - choice.accepted
    if withdrawn:
        for entry in RegistryEntry.objects.filter(
            category__in=withdrawn, kind="cookie", first_party=True
        ):
            if not entry.name.endswith("*"):
                response.delete_cookie(entry.name, samesite="Lax")
        response["Clear-Site-Data"] = '"storage"'
    return response
