"""The consent ledger (R31, R46): giving, withdrawing and proving consent, one record type for all.

Every consent — a newsletter, cookie categories, special categories of data, the reuse of a
recording — is a `Consent` row: the purpose, the version of the words shown (`ConsentText`), the
language, how it was given, when, and its withdrawal. Withdrawing is one step, as giving was.

What a withdrawal does:
- the gate refuses the purpose from that moment (it reads `withdrawn_at`);
- data held only on this consent is deleted: the person's rows of every declaration whose
  purposes all rest on consent and include this one;
- the proof stays until the limitation period of the person's country has run out
  (`proof_release_at`, from the rule pack), then the retention sweep deletes it.
An erasure withdraws every consent first, so the proofs it keeps carry their release date.
When the service a consent served ends (`service_ends`), every consent in force for it ends the
same way, at once, and the retention sweep deletes what was held only on them.
Nothing here ends paid access: courses rest on the contract, never on a consent.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.models import normalize_email
from coursekeeper.privacy.models import Consent, ConsentText
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis
from coursekeeper.privacy.rules import RULE_PACKS, release_date

logger = logging.getLogger(__name__)

# Where the person's country has no rule pack, the provider's country decides.
LIMITATION_RULE = "limitation"


def _country_for_proof(country: str) -> str:
    if country in RULE_PACKS:
        return country
    from coursekeeper.privacy.models import ProviderSettings

    provider_country = ProviderSettings.load().country
    return provider_country if provider_country in RULE_PACKS else "DK"


def _about(person: Person):
    from coursekeeper.privacy.gate import about_person

    return about_person(person)


@transaction.atomic
def give_consent(
    *,
    purpose: str,
    wording_version: str,
    language: str,
    method: str,
    email: str,
    user=None,
    country: str = "",
) -> Consent:
    """Record a consent; a consent already in force for the purpose is returned unchanged."""
    if purpose not in ALL_PURPOSES or ALL_PURPOSES[purpose].basis != LegalBasis.CONSENT:
        raise ValueError(f"{purpose!r} is not a purpose that rests on consent.")
    if not ConsentText.objects.filter(
        purpose=purpose, version=wording_version, language=language
    ).exists():
        raise ValueError(f"No published wording {wording_version!r} of {purpose!r} in {language}.")
    email = normalize_email(email or (user.email if user else ""))
    person = Person.for_user(user) if user is not None else Person.for_email(email)
    existing = Consent.objects.filter(
        _about(person), purpose=purpose, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return Consent.objects.create(
        user=user if user is not None else person.user,
        email=email,
        purpose=purpose,
        wording_version=wording_version,
        language=language,
        method=method,
        country=country or (getattr(user, "country", "") if user else ""),
    )


def _end(consents, now) -> int:
    """Withdraw `consents` at `now`, each with the release date of its proof."""
    ended = 0
    for consent in consents.select_for_update():
        country = _country_for_proof(consent.country)
        Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now,
            proof_release_at=release_date(country=country, rule=LIMITATION_RULE, event_at=now),
        )
        ended += 1
    return ended


def end_for_service(*, purpose: str, ended_at) -> int:
    """End every consent in force for `purpose` at `ended_at`, its service having ended.

    Each proof gets the release date of its person's country, as a withdrawal's does; one
    UPDATE per country, so a newsletter with many subscribers ends in a few statements. Return
    how many ended.
    """
    in_force = Consent.objects.filter(purpose=purpose, withdrawn_at__isnull=True)
    countries = set(in_force.order_by().values_list("country", flat=True).distinct())
    ended = 0
    for country in sorted(countries):
        release = release_date(
            country=_country_for_proof(country), rule=LIMITATION_RULE, event_at=ended_at
        )
        ended += in_force.filter(country=country).update(
            withdrawn_at=ended_at, proof_release_at=release
        )
    return ended


def rests_only_on_consent(declaration) -> bool:
    """Return whether a declaration's personal data is held on consent and nothing else."""
    purposes = declaration.purposes
    return (
        bool(purposes)
        and declaration.holds_personal_data
        and all(p.basis == LegalBasis.CONSENT for p in purposes)
    )


def delete_consent_only_data(person: Person, purpose: str) -> int:
    """Delete the person's rows held only on consent to `purpose`; return how many went."""
    from coursekeeper.privacy.declarations import registry
    from coursekeeper.privacy.walks import delete_rows

    deleted = 0
    for declaration in registry:
        if rests_only_on_consent(declaration) and purpose in {p.code for p in declaration.purposes}:
            deleted += delete_rows(declaration, declaration.rows_for(person))
    return deleted


@transaction.atomic
def withdraw_consent(*, person: Person, purpose: str) -> bool:
    """Withdraw the person's consent to `purpose` (one step); return whether one was in force."""
    now = timezone.now()
    active = Consent.objects.filter(_about(person), purpose=purpose, withdrawn_at__isnull=True)
    if not _end(active, now):
        return False
    deleted = delete_consent_only_data(person, purpose)
    logger.info("consent withdrawn purpose=%s rows_deleted=%s", purpose, deleted)
    return True


def withdraw_all(person: Person) -> int:
    """Withdraw every consent in force (before an erasure); return how many ended."""
    return _end(Consent.objects.filter(_about(person), withdrawn_at__isnull=True), timezone.now())


def ensure_wording(*, purpose: str, version: str, texts: dict[str, str]) -> None:
    """Publish the wording of a consent in each language, once (a published one never changes)."""
    for language, text in texts.items():
        ConsentText.objects.get_or_create(
            purpose=purpose, version=version, language=language, defaults={"text": text}
        )


def wording_of(consent: Consent) -> str:
    """Return the words `consent` was given to, for the person's copy of their data.

    The words in the language it was given in come first (what the person saw), then those in
    the active language, then any published language of that version; empty when none is kept.
    """
    from django.utils import translation

    texts = dict(
        ConsentText.objects.filter(
            purpose=consent.purpose, version=consent.wording_version
        ).values_list("language", "text")
    )
    for language in (consent.language, translation.get_language(), *sorted(texts)):
        if language in texts:
            return texts[language]
    return ""
