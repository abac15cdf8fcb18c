"""The recipients register (R37) and the record of processing activities (R25, GDPR Art. 30(1)).

The record is computed, never stored: one activity per purpose that some declaration uses,
built from the declaration registry, `ALL_PURPOSES`, the active `Recipient` rows and the
provider's settings. A new declaration, purpose or recipient is in the record the moment it
exists, so the record cannot drift from what the platform does.

Recipients are written only through `save_recipient`, which refuses what the law does not
allow (data leaving the EU/EEA without a safeguard, a processor without an agreement) and
changes nothing when it refuses. Every accepted change writes a Django admin log entry (who,
when, which fields) in the same transaction: the admin's own history of the row, and the record
the "running the platform" purpose declares for what staff change.

A disclosure to an authority on a legal order is `record_disclosure`: a `Disclosure` row about
the person (by account, or by address for someone without one) whose `reason` holds the order's
reference and date. The person's access export and the Art. 19 notices read it through
`recipients.recipients_for`: a recipient with a privacy contact (`privacy_email`) is told of a
correction, erasure or restriction by email, one without is told by staff, by hand
(`privacy.recipient_notices`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Field
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coursekeeper.accounts.choices import LANGUAGE_CHOICES
from coursekeeper.accounts.models import normalize_email
from coursekeeper.privacy import service_ends
from coursekeeper.privacy.access.roles import KEEP_REGISTER, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.declarations import Category, registry
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import Disclosure, ProviderSettings, Recipient
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis
from coursekeeper.privacy.texts import retention_text

Role = Recipient.Role
Safeguard = Recipient.Safeguard

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


# --- Refusals ------------------------------------------------------------------------------------

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


def _check_allowed(acting_user) -> None:
    if acting_user is None or not can(acting_user, KEEP_REGISTER):
        raise RegisterError("not_allowed")


# --- Recipients ----------------------------------------------------------------------------------

RECIPIENT_FIELDS = (
    "name",
    "role",
    "service",
    "purposes",
    "categories",
    "location",
    "outside_eea",
    "safeguard",
    "agreement_date",
    "active",
    "privacy_email",
    "language",
)


def _clean_recipient(data: dict) -> dict:
    """Return the recipient's values, or raise the first refusal that applies."""
    values: dict[str, Any] = {
        "name": (data.get("name") or "").strip(),
        "role": data.get("role") or "",
        "service": (data.get("service") or "").strip(),
        "purposes": list(dict.fromkeys(data.get("purposes") or [])),
        "categories": list(dict.fromkeys(data.get("categories") or [])),
        "location": (data.get("location") or "").strip(),
        "outside_eea": bool(data.get("outside_eea")),
        "safeguard": data.get("safeguard") or "",
        "agreement_date": data.get("agreement_date"),
        "active": bool(data.get("active", True)),
        "privacy_email": normalize_email(data.get("privacy_email") or ""),
        "language": data.get("language") or "en",
    }
    name = values["name"]
    if not name:
        raise RegisterError("name_needed", field_name="name")
    if values["role"] not in Role.values:
        raise RegisterError("role_unknown", field_name="role")
    if not values["service"]:
        raise RegisterError("service_needed", field_name="service")
    if not values["location"]:
        raise RegisterError("location_needed", field_name="location")
    if any(code not in ALL_PURPOSES for code in values["purposes"]):
        raise RegisterError("purpose_unknown", field_name="purposes")
    if any(code not in Category.values for code in values["categories"]):
        raise RegisterError("category_unknown", field_name="categories")
    # An authority may receive nothing routinely (only disclosures on a legal order); anyone
    # else, and an authority that does receive data routinely, names what and what for.
    routine = values["role"] != Role.AUTHORITY or values["purposes"] or values["categories"]
    if routine and not values["purposes"]:
        raise RegisterError("purposes_needed", field_name="purposes", name=name)
    if routine and not values["categories"]:
        raise RegisterError("categories_needed", field_name="categories", name=name)
    if values["safeguard"] not in Safeguard.values:
        raise RegisterError("safeguard_unknown", field_name="safeguard")
    if values["outside_eea"] and not values["safeguard"]:
        raise RegisterError("safeguard_needed", field_name="safeguard", name=name)
    if not values["outside_eea"] and values["safeguard"]:
        raise RegisterError("safeguard_not_needed", field_name="safeguard")
    agreed = values["agreement_date"]
    if agreed is None and values["role"] == Role.PROCESSOR:
        raise RegisterError("agreement_needed", field_name="agreement_date")
    if agreed is None and values["role"] == Role.JOINT_CONTROLLER:
        raise RegisterError("arrangement_needed", field_name="agreement_date")
    if agreed is not None and agreed > timezone.localdate():
        raise RegisterError("agreement_in_future", field_name="agreement_date")
    if values["language"] not in {code for code, _name in LANGUAGE_CHOICES}:
        raise RegisterError("language_unknown", field_name="language")
    return values


def _log(*, acting_user, obj, action_flag: int, message: list) -> None:
    record_staff_change(acting_user=acting_user, obj=obj, action=action_flag, message=message)


@transaction.atomic
def save_recipient(*, acting_user, data: dict, recipient_id: int | None = None) -> Recipient:
    """Add a recipient (`recipient_id` None) or change one; log who did it and what changed.

    `data` holds the `RECIPIENT_FIELDS`. A refusal raises `RegisterError` and changes nothing.
    """
    _check_allowed(acting_user)
    values = _clean_recipient(data)
    recipient: Recipient | None
    if recipient_id is None:
        recipient = Recipient(**values)
        recipient.full_clean()
        recipient.save()
        _log(acting_user=acting_user, obj=recipient, action_flag=ADDITION, message=[{"added": {}}])
        return recipient
    recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
    if recipient is None:
        raise RegisterError("recipient_not_found")
    changed = [name for name, value in values.items() if getattr(recipient, name) != value]
    if not changed:
        return recipient
    for name in changed:
        setattr(recipient, name, values[name])
    recipient.full_clean()
    recipient.save(update_fields=changed)
    # Untranslated, as the admin stores them; `LogEntry.get_change_message()` translates them.
    with translation.override(None):
        labels = [
            str(cast(Field, Recipient._meta.get_field(name)).verbose_name) for name in changed
        ]
    _log(
        acting_user=acting_user,
        obj=recipient,
        action_flag=CHANGE,
        message=[{"changed": {"fields": labels}}],
    )
    return recipient


@dataclass(frozen=True)
class RecipientRow:
    """A recipient as the staff list shows it: every label in the active language."""

    recipient: Recipient
    role: str
    purposes: tuple[str, ...]
    categories: tuple[str, ...]
    safeguard: str


def _purpose_titles(codes) -> tuple[str, ...]:
    return tuple(str(ALL_PURPOSES[code].title) for code in codes if code in ALL_PURPOSES)


def _category_labels(codes) -> tuple[str, ...]:
    known = dict(Category.choices)
    return tuple(str(known[code]) for code in codes if code in known)


def _row(recipient: Recipient) -> RecipientRow:
    return RecipientRow(
        recipient=recipient,
        role=str(recipient.get_role_display()),
        purposes=_purpose_titles(recipient.purposes),
        categories=_category_labels(recipient.categories),
        safeguard=str(recipient.get_safeguard_display()) if recipient.outside_eea else "",
    )


def recipients_overview() -> dict[str, list[RecipientRow]]:
    """Return the recipients that receive data now, and apart from them the inactive ones."""
    rows = [_row(recipient) for recipient in Recipient.objects.order_by("name", "pk")]
    return {
        "active": [row for row in rows if row.recipient.active],
        "inactive": [row for row in rows if not row.recipient.active],
    }


def recipient_history(recipient: Recipient, *, limit: int = 50) -> list[LogEntry]:
    """Return who changed the recipient and when, newest first."""
    content_type = ContentType.objects.get_for_model(Recipient)
    return list(
        LogEntry.objects.filter(content_type=content_type, object_id=str(recipient.pk))
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )


# --- Disclosures on a legal order ----------------------------------------------------------------


def _moment(day: dt.date) -> dt.datetime:
    """Return noon of `day` in the site's time zone, but never later than now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    return min(moment, timezone.now())


@transaction.atomic
def record_disclosure(
    *,
    acting_user,
    email: str,
    authority_id: int,
    categories: list[str],
    order_reference: str,
    order_date: dt.date,
    disclosed_on: dt.date,
) -> Disclosure:
    """Log that data about a person went to an authority on a legal order (R37, Art. 15(1)(c)).

    The person is found by email as `Person.for_email` finds them: their account if the address
    is an account's, else the address alone. A refusal raises `RegisterError`, nothing changed.
    """
    from coursekeeper.privacy.recipients import categories_held

    _check_allowed(acting_user)
    authority = Recipient.objects.filter(pk=authority_id, role=Role.AUTHORITY, active=True).first()
    if authority is None:
        raise RegisterError("authority_unknown", field_name="authority")
    categories = list(dict.fromkeys(categories))
    if not categories:
        raise RegisterError("disclosure_categories_needed", field_name="categories")
    if any(code not in Category.values for code in categories):
        raise RegisterError("category_unknown", field_name="categories")
    order_reference = (order_reference or "").strip()
    if not order_reference:
        raise RegisterError("order_reference_needed", field_name="order_reference")
    today = timezone.localdate()
    if order_date > today:
        raise RegisterError("date_in_future", field_name="order_date")
    if disclosed_on > today:
        raise RegisterError("date_in_future", field_name="disclosed_on")
    if disclosed_on < order_date:
        raise RegisterError("disclosed_before_order", field_name="disclosed_on")
    address = normalize_email(email or "")
    if not address:
        raise RegisterError("email_needed", field_name="email")
    person = Person.for_email(address)
    if not categories_held(person):
        raise RegisterError("nobody_with_email", field_name="email", email=address)
    user = person.user
    disclosure = Disclosure.objects.create(
        user=user,
        email=user.email if user is not None else address,
        recipient=authority,
        categories=categories,
        reason=f"{order_reference} ({order_date.isoformat()})"[
            : Disclosure._meta.get_field("reason").max_length
        ],
        disclosed_at=_moment(disclosed_on),
    )
    _log(acting_user=acting_user, obj=disclosure, action_flag=ADDITION, message=[{"added": {}}])
    return disclosure


# --- The record of processing --------------------------------------------------------------------


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


# --- Exports -------------------------------------------------------------------------------------


def csv_columns() -> list[str]:
    """Return the CSV header: one column per item of Art. 30(1), in the active language."""
    return [
        _("Processing activity"),
        _("Description"),
        _("Controller"),
        _("Controller's contact details"),
        _("Data-protection officer"),
        _("Joint controllers"),
        _("Legal basis"),
        _("Balancing of interests"),
        _("Data subjects"),
        _("Categories of personal data"),
        _("Recipients"),
        _("Transfers outside the EU/EEA and safeguards"),
        _("Time limits for erasure"),
        _("Security measures"),
    ]


def _cell(value: str) -> str:
    from coursekeeper.privacy.exports import _csv_cell

    return _csv_cell(value)


def _lines(items) -> str:
    return "\n".join(str(item) for item in items)


def record_csv(activities: list[Activity]) -> bytes:
    """Return the record as CSV, UTF-8 with a byte-order mark so spreadsheets read it right.

    One row per activity; several values in a cell are one per line. A text a spreadsheet would
    run as a formula (a recipient named "=…") gets a leading apostrophe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns())
    for activity in activities:
        controller = activity.controller
        head = ", ".join(part for part in (controller.name, controller.company_number) if part)
        writer.writerow(
            [
                _cell(value)
                for value in (
                    activity.name,
                    activity.description,
                    head,
                    controller.contact,
                    controller.dpo,
                    _lines(r.describe() for r in activity.joint_controllers),
                    activity.legal_basis,
                    activity.balancing_note,
                    _lines(activity.data_subjects),
                    _lines(activity.categories),
                    _lines(r.describe() for r in activity.recipients),
                    _lines(r.describe_transfer() for r in activity.transfers),
                    _lines(r.describe() for r in activity.retention),
                    _lines(activity.security_measures),
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def record_document_html(activities: list[Activity], *, language: str) -> str:
    """Return the record as a standalone HTML document (for the PDF), in the active language."""
    provider = ProviderSettings.load()
    return render_to_string(
        "privacy/register/record_document.html",
        {
            "language": language,
            "activities": activities,
            "controller": controller_from(provider),
            "provider": provider,
            "school_name": settings.SCHOOL_NAME,
            "generated_at": timezone.now(),
        },
    )


def record_pdf(activities: list[Activity], *, language: str) -> bytes:
    """Return the record as PDF (WeasyPrint; every URL refused, so nothing is fetched)."""
    from coursekeeper.privacy.exports import summary_pdf

    return summary_pdf(record_document_html(activities, language=language))


def export_filename(extension: str) -> str:
    return f"record-of-processing-{timezone.localdate().isoformat()}.{extension}"
