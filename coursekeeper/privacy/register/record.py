"""The record of processing activities (R25, GDPR Art. 30(1)), computed, never stored.

One activity per purpose that some declaration uses, built from the declaration registry,
`ALL_PURPOSES`, the active recipients and the provider's settings, with the platform's security
measures; an export is refused while the controller is not named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from coursekeeper.privacy import service_ends
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.models import ProviderSettings, Recipient
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis
from coursekeeper.privacy.register.recipients import Role
from coursekeeper.privacy.register.refusals import RegisterError
from coursekeeper.privacy.texts import retention_text

# What the platform itself does to keep personal data safe (Art. 30(1)(g), Art. 32). Only what
# the code and settings really do; each line names where, so a change there shows up here.
PLATFORM_SECURITY_MEASURES = (
    # settings.PASSWORD_HASHERS, AUTH_PASSWORD_VALIDATORS
    gettext_lazy(
        "Passwords are stored only as Argon2id hashes; they must have at least 8 characters "
        "and are checked against a list of common passwords."
    ),
    # settings.AXES_*, ADDRESS_FAILURE_LIMIT, accounts.throttling, accounts.unlock
    gettext_lazy(
        "Sign-in is throttled: after 5 failed attempts at an account from one network address, "
        "that address cannot try that account for an hour, and after 20 failed attempts at any "
        "accounts, the address is locked out for an hour; the account holder can lift the "
        "lockout with a link sent to their email address."
    ),
    # accounts.models.User.requires_two_factor, accounts.middleware.StaffTwoFactorMiddleware
    gettext_lazy("Staff and instructors must sign in with a second factor (an authenticator app)."),
    # accounts.services.record_sign_in, accounts.adapter
    gettext_lazy("A sign-in from a new network or browser is reported to the account holder."),
    # settings.SESSION_*, accounts.middleware.SessionIdleTimeoutMiddleware
    gettext_lazy(
        "Sessions end after 2 hours without use for staff and 7 days for learners, and after "
        "2 weeks in any case; people can see and end their own sessions."
    ),
    # settings.PRODUCTION: SECURE_SSL_REDIRECT, HSTS, secure cookies; `check --deploy` in CI
    gettext_lazy(
        "In production every connection is encrypted (HTTPS only, with HSTS and secure "
        "cookies); the platform refuses to start in debug mode or with a weak secret key."
    ),
    # settings.CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS, SECURE_* headers
    gettext_lazy(
        "Pages load nothing from other sites and cannot be framed (content security policy "
        "and security headers)."
    ),
    # privacy.access.roles: the capabilities of each role
    gettext_lazy(
        "Staff see personal data by role only: rights requests and the register only the "
        "owner and the privacy officer."
    ),
    # privacy.access.services.record_access, privacy.access.admin_site (the administration)
    gettext_lazy(
        "Every time staff see a person's data, on the platform's pages or in the "
        "administration, is logged: who, whose, which data, where and when."
    ),
    # security.logfilters, security.services.pseudonym, security.privacy (30 days)
    gettext_lazy(
        "Application logs name people only by a pseudonym and mask email and IP addresses; "
        "IP addresses are kept only in the security log, for at most 30 days."
    ),
    # privacy.sweep
    gettext_lazy(
        "A daily sweep deletes or anonymises the data whose retention period has run out."
    ),
    # privacy.ledger
    gettext_lazy(
        "An erased person is remembered only as a keyed hash whose key is kept outside the "
        "database, so an erasure can be carried out again after a backup is restored."
    ),
    # privacy.exports, export_views
    gettext_lazy(
        "A copy of a person's data is handed out only to them, signed in, under a random "
        "name, and deleted after 7 days."
    ),
)

# What Art. 30(1)(a) needs to name the controller; the exports are refused without it.
REQUIRED_FOR_RECORD = ("legal_name", "street_address", "postal_code", "city", "country", "email")


@dataclass(frozen=True)
class Controller:
    """Who is responsible (Art. 30(1)(a)): the provider, and its data-protection officer."""

    name: str
    address: str
    company_number: str
    email: str
    phone: str
    dpo_name: str
    dpo_email: str

    @property
    def contact(self) -> str:
        return " · ".join(part for part in (self.address, self.email, self.phone) if part)

    @property
    def dpo(self) -> str:
        return " · ".join(part for part in (self.dpo_name, self.dpo_email) if part)


@dataclass(frozen=True)
class RecipientEntry:
    name: str
    role_code: str
    role: str
    service: str
    location: str
    outside_eea: bool
    safeguard: str
    agreement_date: dt.date | None

    def describe(self) -> str:
        return f"{self.name} ({self.role}; {self.service}; {self.location})"

    def describe_transfer(self) -> str:
        return f"{self.name}: {self.location} ({self.safeguard})"


@dataclass(frozen=True)
class RetentionEntry:
    what: str  # the kind of record, e.g. "Invoices"
    text: str  # e.g. "as long as the bookkeeping law requires (…)"

    def describe(self) -> str:
        return f"{self.what}: {self.text}"


@dataclass
class Activity:
    """One processing activity of the record: everything Art. 30(1) asks about one purpose."""

    code: str
    name: str
    description: str
    controller: Controller
    legal_basis: str
    legal_basis_code: str
    balancing_note: str
    data_subjects: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    recipients: list[RecipientEntry] = field(default_factory=list)
    retention: list[RetentionEntry] = field(default_factory=list)
    security_measures: list[str] = field(default_factory=list)

    @property
    def joint_controllers(self) -> list[RecipientEntry]:
        return [r for r in self.recipients if r.role_code == Role.JOINT_CONTROLLER]

    @property
    def transfers(self) -> list[RecipientEntry]:
        """The recipients outside the EU/EEA, each with its safeguard (Art. 30(1)(e))."""
        return [r for r in self.recipients if r.outside_eea]


def controller_from(provider: ProviderSettings) -> Controller:
    place = " ".join(part for part in (provider.postal_code, provider.city) if part)
    address = ", ".join(
        part
        for part in (
            provider.street_address,
            place,
            str(provider.get_country_display()) if place or provider.street_address else "",
        )
        if part
    )
    return Controller(
        name=provider.legal_name,
        address=address,
        company_number=provider.company_number,
        email=provider.email,
        phone=provider.phone,
        dpo_name=provider.dpo_name,
        dpo_email=provider.dpo_email,
    )


def missing_for_record(provider: ProviderSettings | None = None) -> list[str]:
    """Return the names of the provider details Art. 30(1)(a) needs and that are empty."""
    provider = provider or ProviderSettings.load()
    return [
        str(cast(Field, ProviderSettings._meta.get_field(name)).verbose_name)
        for name in REQUIRED_FOR_RECORD
        if not getattr(provider, name)
    ]


def security_measures(provider: ProviderSettings | None = None) -> list[str]:
    """Return the platform's security measures, then the provider's own.

    The provider's organisational measures come from a `security_measures` text on its settings
    (one measure a line) when the settings have one; the platform's list is always there.
    """
    measures = [str(measure) for measure in PLATFORM_SECURITY_MEASURES]
    provider = provider or ProviderSettings.load()
    own = getattr(provider, "security_measures", "") or ""
    measures += [line.strip() for line in str(own).splitlines() if line.strip()]
    return measures


def record_of_processing() -> list[Activity]:
    """Return the record: one activity per purpose some declaration uses, in the active language.

    Purposes come in the order they are registered; categories in the order of `Category`;
    recipients are the active ones whose purposes include the activity's.
    """
    provider = ProviderSettings.load()
    controller = controller_from(provider)
    measures = security_measures(provider)
    used: dict[str, list] = {}
    for declaration in registry:
        if not declaration.holds_personal_data:
            continue
        for purpose in declaration.purposes:
            used.setdefault(purpose.code, []).append(declaration)
    recipients = list(Recipient.objects.filter(active=True).order_by("name", "pk"))
    activities = []
    for code, purpose in ALL_PURPOSES.items():
        declarations = used.get(code)
        if not declarations:
            continue
        present = {category for d in declarations for category in d.categories()}
        retention: list[RetentionEntry] = []
        for declaration in declarations:
            entries = [
                RetentionEntry(
                    what=capfirst(declaration.plural_name),
                    text=retention_text(declaration.retention),
                )
            ]
            ended = service_ends.end_text(declaration)
            if ended:  # held only on consent: goes when the service ends, if sooner (R29)
                entries.append(RetentionEntry(what=capfirst(declaration.plural_name), text=ended))
            retention.extend(entry for entry in entries if entry not in retention)
        activities.append(
            Activity(
                code=code,
                name=str(purpose.title),
                description=str(purpose.description),
                controller=controller,
                legal_basis=str(purpose.basis.label),
                legal_basis_code=str(purpose.basis.value),
                balancing_note=str(purpose.balancing_note or "")
                if purpose.basis == LegalBasis.LEGITIMATE_INTEREST
                else "",
                data_subjects=[str(subject) for subject in purpose.data_subjects],
                categories=[str(c.label) for c in Category if c in present],
                recipients=[
                    RecipientEntry(
                        name=r.name,
                        role_code=r.role,
                        role=str(r.get_role_display()),
                        service=r.service,
                        location=r.location,
                        outside_eea=r.outside_eea,
                        safeguard=str(r.get_safeguard_display()) if r.outside_eea else "",
                        agreement_date=r.agreement_date,
                    )
                    for r in recipients
                    if code in r.purposes
                ],
                retention=retention,
                security_measures=measures,
            )
        )
    return activities


def check_record_exportable() -> None:
    """Refuse an export for an authority while the controller is not named (Art. 30(1)(a))."""
    missing = missing_for_record()
    if missing:
        raise RegisterError("record_incomplete", missing=", ".join(missing))
