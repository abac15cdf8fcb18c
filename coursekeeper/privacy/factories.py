"""Test factories for Django's and third-party models, so the no-trace test can build them."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.utils import timezone

from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.privacy.models import (
    Consent,
    Disclosure,
    ErasureJob,
    ErasureLedgerEntry,
    ExportJob,
    MinorReport,
    Objection,
    PolicyNotice,
    PolicyVersion,
    Recipient,
    RecipientNotice,
    RelationshipWarning,
    ReporterAddress,
    Restriction,
    RightsRequest,
    RightsRequestEvent,
    StaffAccess,
)
from coursekeeper.privacy.purposes import ALL_PURPOSES

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class EmailAddressFactory(factory.django.DjangoModelFactory[EmailAddress]):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory, verified_email=False)
    # A second address of the person (their first is made with the account).
    email = factory.LazyAttribute(lambda o: f"alt{secrets.token_hex(2)}.{o.user.email}")
    verified = True
    primary = False


class EmailConfirmationFactory(factory.django.DjangoModelFactory[EmailConfirmation]):
    class Meta:
        model = EmailConfirmation

    email_address = factory.SubFactory(EmailAddressFactory, verified=False)
    created = factory.LazyFunction(timezone.now)
    sent = factory.LazyFunction(timezone.now)
    key = factory.LazyFunction(lambda: secrets.token_hex(32))


class AuthenticatorFactory(factory.django.DjangoModelFactory[Authenticator]):
    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(lambda: {"secret": encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")})


class UserSessionFactory(factory.django.DjangoModelFactory[UserSession]):
    class Meta:
        model = UserSession

    user = factory.SubFactory(UserFactory)
    ip = "203.0.113.7"
    session_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    user_agent = FIREFOX


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    """A real signed-in session of the person, with the UserSession that names them."""

    class Meta:
        model = Session

    @classmethod
    def _create(cls, model_class, *args, for_person=None, **kwargs):
        user = for_person.user if for_person is not None else UserFactory()
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "allauth.account.auth_backends.AuthenticationBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        UserSessionFactory(user=user, session_key=store.session_key)
        return model_class.objects.get(session_key=store.session_key)


class LogEntryFactory(factory.django.DjangoModelFactory[LogEntry]):
    """A staff member's change to a person's account, as Django's admin logs it."""

    class Meta:
        model = LogEntry

    user = factory.SubFactory(StaffFactory)
    content_type = factory.LazyFunction(
        lambda: ContentType.objects.get_for_model(UserFactory._meta.model)
    )
    object_id = factory.LazyAttribute(lambda o: str(UserFactory().pk))
    object_repr = factory.LazyAttribute(
        lambda o: str(UserFactory._meta.model.objects.get(pk=o.object_id))
    )
    action_flag = CHANGE
    change_message = factory.LazyAttribute(
        lambda o: f'[{{"changed": {{"fields": ["Phone"]}}}}] {o.object_repr}'
    )


class AccessAttemptFactory(factory.django.DjangoModelFactory[AccessAttempt]):
    class Meta:
        model = AccessAttempt

    username = factory.LazyFunction(lambda: f"someone-{secrets.token_hex(4)}@example.org")
    ip_address = factory.Sequence(lambda n: f"198.51.{n // 250 % 250}.{n % 250 + 1}")
    user_agent = FIREFOX
    http_accept = "text/html"
    path_info = "/accounts/login/"
    get_data = ""
    post_data = factory.LazyAttribute(lambda o: f"login={o.username}\npassword=********")
    failures_since_start = 1


class AccessAttemptExpirationFactory(factory.django.DjangoModelFactory[AccessAttemptExpiration]):
    class Meta:
        model = AccessAttemptExpiration

    access_attempt = factory.SubFactory(AccessAttemptFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))


class AccessFailureLogFactory(factory.django.DjangoModelFactory[AccessFailureLog]):
    class Meta:
        model = AccessFailureLog

    username = factory.LazyFunction(lambda: f"someone-{secrets.token_hex(4)}@example.org")
    ip_address = "198.51.100.24"
    user_agent = FIREFOX
    http_accept = "text/html"
    path_info = "/accounts/login/"
    locked_out = False


class AccessLogFactory(factory.django.DjangoModelFactory[AccessLog]):
    class Meta:
        model = AccessLog

    username = factory.LazyFunction(lambda: f"someone-{secrets.token_hex(4)}@example.org")
    ip_address = "198.51.100.25"
    user_agent = FIREFOX
    http_accept = "text/html"
    path_info = "/accounts/login/"
    session_hash = factory.LazyFunction(lambda: secrets.token_hex(32))


class ConsentFactory(factory.django.DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "subscriber@example.org")
    purpose = "newsletter"
    wording_version = "2026-11"
    language = "da"
    method = "form"


class RestrictionFactory(factory.django.DjangoModelFactory[Restriction]):
    class Meta:
        model = Restriction

    user = factory.SubFactory(UserFactory)


class ObjectionFactory(factory.django.DjangoModelFactory[Objection]):
    class Meta:
        model = Objection

    user = factory.SubFactory(UserFactory)
    purpose = "recommendations"


class ErasureJobFactory(factory.django.DjangoModelFactory[ErasureJob]):
    class Meta:
        model = ErasureJob

    user = factory.SubFactory(UserFactory)


class ExportJobFactory(factory.django.DjangoModelFactory[ExportJob]):
    class Meta:
        model = ExportJob

    user = factory.SubFactory(UserFactory)
    file = factory.LazyAttribute(
        lambda o: ContentFile(f'{{"email": "{o.user.email}"}}'.encode(), "export.json")
    )


class RightsRequestFactory(factory.django.DjangoModelFactory[RightsRequest]):
    class Meta:
        model = RightsRequest

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "visitor@example.org")
    kind = RightsRequest.Kind.RECTIFICATION
    channel = RightsRequest.Channel.ACCOUNT
    details = factory.LazyAttribute(lambda o: f"Please correct the name on file for {o.email}.")
    received_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(days=30))


class RightsRequestEventFactory(factory.django.DjangoModelFactory[RightsRequestEvent]):
    class Meta:
        model = RightsRequestEvent

    request = factory.SubFactory(RightsRequestFactory)
    action = RightsRequestEvent.Action.NOTE
    note = factory.LazyAttribute(lambda o: f"Called back {o.request.email}.")


class ErasureLedgerEntryFactory(factory.django.DjangoModelFactory[ErasureLedgerEntry]):
    class Meta:
        model = ErasureLedgerEntry

    digest = factory.LazyFunction(lambda: secrets.token_hex(32))


class RecipientFactory(factory.django.DjangoModelFactory[Recipient]):
    class Meta:
        model = Recipient

    name = factory.Sequence(lambda n: f"Mailing Service {n} ApS")
    role = Recipient.Role.PROCESSOR
    service = "email delivery"
    purposes = factory.LazyFunction(lambda: ["service_email"])
    categories = factory.LazyFunction(lambda: ["contact", "communication"])
    location = "Denmark"


class RecipientNoticeFactory(factory.django.DjangoModelFactory[RecipientNotice]):
    """A task to tell a recipient of an erasure by hand, still open: it keeps the address."""

    class Meta:
        model = RecipientNotice

    request = factory.SubFactory(RightsRequestFactory, kind=RightsRequest.Kind.ERASURE)
    recipient = factory.SubFactory(RecipientFactory)
    change = RecipientNotice.Change.ERASED
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    identifiers = factory.LazyAttribute(lambda o: [o.request.email] if o.request.email else [])


class DisclosureFactory(factory.django.DjangoModelFactory[Disclosure]):
    class Meta:
        model = Disclosure

    user = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(RecipientFactory, role=Recipient.Role.AUTHORITY)
    categories = factory.LazyFunction(lambda: ["identity", "contact"])
    reason = "Court order 12/2026"


class PolicyVersionFactory(factory.django.DjangoModelFactory[PolicyVersion]):
    """A published policy version; its content is a minimal stand-in, not the real content.

    It announces every purpose there is, as a version published from the real content does, so
    that the privacy gate lets the processing paths run while it is in effect (R21).
    """

    class Meta:
        model = PolicyVersion

    number = factory.Sequence(lambda n: 1000 + n)
    content = factory.LazyFunction(lambda: {"purposes": [], "recipients": [], "categories": []})
    purposes = factory.LazyFunction(lambda: sorted(ALL_PURPOSES))
    texts = factory.LazyFunction(lambda: {"en": "<p>Policy</p>"})
    effective_at = factory.LazyFunction(timezone.now)


class PolicyNoticeFactory(factory.django.DjangoModelFactory[PolicyNotice]):
    class Meta:
        model = PolicyNotice

    version = factory.SubFactory(PolicyVersionFactory, material=True)
    user = factory.SubFactory(UserFactory)
    language = factory.LazyAttribute(lambda o: o.user.language)


class StaffAccessFactory(factory.django.DjangoModelFactory[StaffAccess]):
    """That a support member saw the person's account in the administration."""

    class Meta:
        model = StaffAccess

    user = factory.SubFactory(UserFactory)
    email = ""
    staff = factory.SubFactory(StaffFactory)
    categories = factory.LazyFunction(lambda: ["identity", "contact"])
    object_type = factory.LazyFunction(lambda: ContentType.objects.get(model="user"))
    object_id = factory.LazyAttribute(lambda o: str(o.user.pk))
    purpose = "account"
    place = "admin:accounts_user_change"


class MinorReportFactory(factory.django.DjangoModelFactory):
    """A report, waiting for review, that the account belongs to someone under 18."""

    class Meta:
        model = MinorReport

    account = factory.SubFactory(UserFactory)
    about = factory.LazyAttribute(lambda o: o.account.email if o.account else "a learner")
    reasons = factory.LazyAttribute(
        lambda o: f"{o.account.full_name if o.account else 'They'} wrote they are in 7th grade."
    )


class ReporterAddressFactory(factory.django.DjangoModelFactory):
    """Where the reporter of some other account asked to hear the outcome."""

    class Meta:
        model = ReporterAddress

    report = factory.SubFactory(MinorReportFactory)
    email = factory.Sequence(lambda n: f"reporter{n}-{secrets.token_hex(4)}@example.org")


class RelationshipWarningFactory(factory.django.DjangoModelFactory):
    """That the person was warned their account goes in 30 days, its relationship long over."""

    class Meta:
        model = RelationshipWarning

    user = factory.SubFactory(UserFactory)
    warned_at = factory.LazyFunction(timezone.now)
    relationship_ended_at = factory.LazyAttribute(lambda o: o.warned_at - dt.timedelta(days=1795))
    erase_on = factory.LazyAttribute(lambda o: o.warned_at + dt.timedelta(days=30))
    token_digest = factory.LazyFunction(lambda: secrets.token_hex(32))


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def rehearse_staff_access_log(user, path):
    from coursekeeper.accounts.factories import StaffFactory
    from coursekeeper.privacy.access.services import record_access
    from coursekeeper.privacy.paths import Rehearsal

    staff = StaffFactory()
    return Rehearsal(
        run=lambda: record_access(acting_user=staff, rows=[user], place="tests:profile"),
        happened=lambda: StaffAccess.objects.filter(user_id=user.pk).exists(),
    )


def rehearse_minor_report(user, path):
    """Report the person's account as a minor's, by its address, through the public form's
    service."""
    from coursekeeper.privacy.minors.services import report_minor
    from coursekeeper.privacy.paths import Rehearsal

    return Rehearsal(
        run=lambda: report_minor(about=user.email, reasons="They said they are 14."),
        happened=lambda: MinorReport.objects.filter(account=user).exists(),
    )


def rehearse_erase_after_relationship(user, path):
    """Make the person's relationship long over and their warned date come, then run the clock."""
    from coursekeeper.accounts.models import User
    from coursekeeper.privacy.models import ProviderSettings
    from coursekeeper.privacy.paths import Rehearsal
    from coursekeeper.privacy.relationship.services import erase_ended_relationships

    ProviderSettings.load()  # whose rule pack counts; made on first use, so made here
    long_ago = timezone.now() - dt.timedelta(days=6 * 366)
    User.objects.filter(pk=user.pk).update(last_login=long_ago, date_joined=long_ago)
    RelationshipWarningFactory(
        user=user,
        relationship_ended_at=long_ago,
        warned_at=timezone.now() - dt.timedelta(days=31),
        erase_on=timezone.now() - dt.timedelta(days=1),
    )
    return Rehearsal(
        run=erase_ended_relationships,
        happened=lambda: not User.objects.filter(pk=user.pk, is_active=True).exists(),
    )
