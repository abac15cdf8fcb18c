"""What the privacy gate reads (consent, restriction, objection) and the provider's own details.

A person here is an account or, for someone without one (a newsletter subscriber, a visitor who
wrote to us), a normalised email address; every row names one of the two, both indexed.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import COUNTRY_CHOICES, LANGUAGE_CHOICES
from coursekeeper.cookies.tags import GOOGLE_TAG_ID, LINKEDIN_PARTNER_ID, META_PIXEL_ID
from coursekeeper.jobs.models import LeasedJob


class PersonReference(models.Model):
    """Abstract: a row about an account or, without one, about an email address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email address"), blank=True, db_index=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=True, email=""),
                name="%(app_label)s_%(class)s_names_a_person",
            )
        ]


class ConsentText(models.Model):
    """The exact words a consent was given to, per purpose, version and language (Art. 7(1)).

    A consent row names its wording by (purpose, version); this table keeps the words, so the
    proof shows what the person saw. A published version is never edited: a new wording is a
    new version.
    """

    purpose = models.CharField(_("purpose"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("wording"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version", "language"], name="privacy_consent_text_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.version} ({self.language})"


class Consent(PersonReference):
    """One consent to one purpose: what was agreed to, in which words, how, and its withdrawal.

    This is the consent ledger (R31, R46): the proof of consent is kept after a withdrawal,
    and through an erasure, until the limitation period of the person's country has run out
    (`proof_release_at`, set when the consent ends). The gate reads only `purpose` and
    `withdrawn_at`. The address is always kept on the row, so the proof outlives the account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    wording_version = models.CharField(_("wording version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    method = models.CharField(_("how it was given"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, db_index=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("Whose limitation period decides how long the proof is kept."),
    )
    proof_release_at = models.DateTimeField(
        _("proof kept until"), null=True, blank=True, db_index=True
    )

    class Meta(PersonReference.Meta):
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} to {self.purpose}"


class ServiceEnd(models.Model):
    """That the service a consent-based purpose serves ended (R29): a newsletter discontinued.

    Written by `privacy.service_ends.end_service`, which the app running the service calls from
    its staff action; the consents in force for the purpose end with it, and the retention sweep
    deletes what was recorded only on them before `ended_at`. A service started again keeps the
    row (`restarted_at`): what was recorded before the end still goes, what is recorded on the
    new consents after it stays.
    """

    purpose = models.CharField(_("purpose"), max_length=64, db_index=True)
    ended_at = models.DateTimeField(_("ended at"), default=timezone.now, db_index=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restarted_at = models.DateTimeField(_("started again at"), null=True, blank=True)
    restarted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started again by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("end of a service")
        verbose_name_plural = _("ends of services")
        ordering = ["-ended_at", "-pk"]
        constraints = [
            # A service is ended once at a time: it must be started again before it ends again.
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(restarted_at__isnull=True),
                name="privacy_one_open_service_end_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"end of the {self.purpose} service {self.pk}"


class Restriction(PersonReference):
    """A restriction of processing (GDPR Art. 18): only storage until it is lifted."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")

    def __str__(self) -> str:
        return f"restriction {self.pk}"


class Objection(PersonReference):
    """An objection (GDPR Art. 21) to one purpose, or to every legitimate-interest purpose."""

    purpose = models.CharField(
        _("purpose"), max_length=64, blank=True, help_text=_("Empty: every purpose it can cover.")
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.pk} to {self.purpose or 'all'}"


class ProviderSettings(models.Model):
    """The course provider — the controller — as its privacy policy and invoices name it.

    One row per database (`load()`); with many schools, each school's schema holds its own.
    """

    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, default="DK")
    company_number = models.CharField(
        _("company number"), max_length=32, blank=True, help_text=_("CVR, HRB or similar.")
    )
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    email = models.EmailField(_("email for privacy questions"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    supervisory_authority = models.CharField(
        _("supervisory authority"),
        max_length=200,
        blank=True,
        help_text=_("For example Datatilsynet, or the data-protection authority of your state."),
    )
    supervisory_authority_url = models.URLField(_("supervisory authority's website"), blank=True)
    dpo_name = models.CharField(_("data-protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data-protection officer's email"), blank=True)
    # Figures shown to instructors hide any group of learners smaller than this (R34).
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown in teaching figures"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_(
            "Instructors see progress under pseudonyms; any figure about fewer learners than "
            "this is hidden, so no one can be picked out of a small group."
        ),
    )
    # The owner's marketing and statistics tags (R22): each loads only for a device whose cookie
    # choice accepts its category, and only while configured is its operator in the registry
    # and the policies (`cookies.tags`). The validators hold each to its vendor's format; the
    # lengths leave room, so a wrong id is refused by the message that says what is right.
    meta_pixel_id = models.CharField(
        _("Meta pixel ID"),
        max_length=32,
        blank=True,
        validators=[META_PIXEL_ID],
        help_text=_("Loaded only for visitors who allow marketing cookies."),
    )
    google_tag_id = models.CharField(
        _("Google tag ID"),
        max_length=32,
        blank=True,
        validators=[GOOGLE_TAG_ID],
        help_text=_(
            "G-… for Google Analytics, loaded only for visitors who allow statistics cookies; "
            "AW-… for Google Ads, loaded only for visitors who allow marketing cookies."
        ),
    )
    linkedin_partner_id = models.CharField(
        _("LinkedIn Insight Tag partner ID"),
        max_length=32,
        blank=True,
        validators=[LINKEDIN_PARTNER_ID],
        help_text=_("Loaded only for visitors who allow marketing cookies."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What the policy, the register and the provider settings page show of the controller.
    PUBLISHED_FIELDS = (
        "legal_name",
        "street_address",
        "postal_code",
        "city",
        "country",
        "company_number",
        "vat_number",
        "email",
        "phone",
        "supervisory_authority",
        "supervisory_authority_url",
        "dpo_name",
        "dpo_email",
    )

    class Meta:
        verbose_name = _("provider settings")
        verbose_name_plural = _("provider settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="provider_settings_is_a_singleton")
        ]

    def __str__(self) -> str:
        return self.legal_name or str(_("Provider settings"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> ProviderSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row

    REQUIRED_FOR_PUBLISHING = (
        "legal_name",
        "street_address",
        "postal_code",
        "city",
        "country",
        "company_number",
        "email",
        "supervisory_authority",
    )

    def missing_for_publishing(self) -> list[str]:
        """Return the verbose names of fields a published policy cannot do without."""
        return [
            str(cast(models.Field, self._meta.get_field(name)).verbose_name)
            for name in self.REQUIRED_FOR_PUBLISHING
            if not getattr(self, name)
        ]

    def clean(self) -> None:
        if self.dpo_email and not self.dpo_name:
            raise ValidationError({"dpo_name": _("Name the officer whose email you give.")})


class RightsRequest(models.Model):
    """A request to exercise a data-protection right, on the legal clock (R32, GDPR Art. 12).

    Filed by the person from their account (signed in counts as verified), by a visitor through
    the public form (counted as received once they confirm from the email on record), or logged by
    staff when it came by email, post or phone. The answer is due one calendar month after
    receipt; staff may extend it by up to two more months, telling the person why. Every change
    of state writes a `RightsRequestEvent` in the same transaction.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to your data")
        PORTABILITY = "portability", _("Your data in a portable format")
        RECTIFICATION = "rectification", _("Correction of your data")
        ERASURE = "erasure", _("Erasure of your data")
        RESTRICTION = "restriction", _("Restriction of processing")
        OBJECTION = "objection", _("Objection to processing")

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("from the account")
        WEB_FORM = "web_form", _("web form")
        EMAIL = "email", _("email")
        POST = "post", _("post")
        PHONE = "phone", _("phone")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("awaiting the person's confirmation")
        OPEN = "open", _("open")
        AWAITING_FEE = "awaiting_fee", _("awaiting the stated fee")
        ANSWERED = "answered", _("answered")
        REFUSED = "refused", _("refused")

    OPEN_STATUSES = (Status.OPEN, Status.AWAITING_FEE)

    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email on record"), blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    details = models.TextField(_("details"), blank=True, max_length=4000)
    objection_purpose = models.CharField(_("purpose objected to"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    possibly_excessive = models.BooleanField(_("possibly excessive"), default=False)
    fee_amount = models.DecimalField(
        _("fee"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    fee_currency = models.CharField(_("currency"), max_length=3, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmation_digest = models.CharField(
        _("confirmation key (scrambled)"), max_length=64, blank=True, db_index=True
    )
    confirmation_expires_at = models.DateTimeField(null=True, blank=True)
    deadline_alerted_at = models.DateTimeField(null=True, blank=True)
    # A random key each form carries, so a double-clicked submit files one request, not two.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_request_queue")]

    def __str__(self) -> str:
        return f"rights request {self.pk} ({self.kind}, {self.status})"

    @property
    def deadline(self):
        """The date the answer is due: the extended date if there is one."""
        return self.extended_until or self.due_at

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def platform_can_carry_out(self) -> bool:
        """Whether the platform does what is asked by itself (a correction is made by hand)."""
        return self.kind != self.Kind.RECTIFICATION and not (
            self.kind == self.Kind.OBJECTION and not self.objection_purpose
        )


class RightsRequestEvent(models.Model):
    """One change of a rights request's state, written in the change's own transaction."""

    class Action(models.TextChoices):
        FILED = "filed", _("filed")
        CONFIRMED = "confirmed", _("confirmed by the person")
        EXTENDED = "extended", _("deadline extended")
        MARKED_URGENT = "marked_urgent", _("marked urgent")
        FEE_REQUESTED = "fee_requested", _("fee requested")
        ANSWERED = "answered", _("answered")
        REFUSED = "refused", _("refused")
        CARRIED_OUT = "carried_out", _("carried out")
        NOTIFY_RECIPIENTS = "notify", _("recipients told of the change (Art. 19)")
        RECIPIENT_TOLD = "recipient_told", _("recipient told by hand (Art. 19)")
        RECIPIENT_LATE = "recipient_late", _("recipient not told in time: staff alerted")
        ALERTED = "alerted", _("deadline alert sent to staff")
        NOTE = "note", _("note")

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rights request event")
        verbose_name_plural = _("rights request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class ErasureLedgerEntry(models.Model):
    """A keyed hash of an erased person's identifier, so a restored backup can be erased again.

    The key lives outside the database (settings.ERASURE_LEDGER_KEY), so the table alone names
    nobody; an entry is kept only as long as backups are (settings.BACKUP_RETENTION_DAYS).
    """

    digest = models.CharField(_("keyed hash"), max_length=64, unique=True)
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("erasure ledger entry")
        verbose_name_plural = _("erasure ledger entries")

    def __str__(self) -> str:
        return f"erasure ledger entry {self.pk}"


class Recipient(models.Model):
    """Someone personal data goes to: a processor, another controller, or an authority (R37).

    The register, the policy, the access export and the Art. 19 notice after a correction, an
    erasure or a restriction all read this table, so the list a person sees is the list the
    provider keeps.
    """

    class Role(models.TextChoices):
        PROCESSOR = "processor", _("processor on our behalf")
        CONTROLLER = "controller", _("independent controller")
        JOINT_CONTROLLER = "joint_controller", _("joint controller")
        AUTHORITY = "authority", _("public authority")

    class Safeguard(models.TextChoices):
        NONE_NEEDED = "", _("none needed: inside the EU/EEA")
        ADEQUACY = "adequacy", _("adequacy decision")
        SCC = "scc", _("standard contractual clauses")
        DPF = "dpf", _("EU-US Data Privacy Framework")

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    service = models.CharField(
        _("what they do"), max_length=200, help_text=_("For example: hosting, email delivery.")
    )
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    categories = models.JSONField(_("categories of data received"), default=list, blank=True)
    location = models.CharField(_("where the data is processed"), max_length=100)
    outside_eea = models.BooleanField(_("outside the EU/EEA"), default=False)
    safeguard = models.CharField(
        _("transfer safeguard"), max_length=16, choices=Safeguard.choices, blank=True
    )
    agreement_date = models.DateField(_("agreement signed"), null=True, blank=True)
    active = models.BooleanField(_("receives data now"), default=True)
    # Where the notice of a correction, erasure or restriction goes (Art. 19); without it, staff
    # tell the recipient by hand.
    privacy_email = models.EmailField(_("privacy contact"), blank=True)
    language = models.CharField(
        _("language for notices"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outside_eea=False) | ~Q(safeguard=""),
                name="privacy_recipient_transfer_has_a_safeguard",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.outside_eea and not self.safeguard:
            raise ValidationError(
                {"safeguard": _("Data leaving the EU/EEA needs a safeguard; name the one used.")}
            )


class Disclosure(PersonReference):
    """One disclosure of a person's data to a recipient outside the routine (a legal order, a
    supplier shipping a gift): logged against the person and shown in their access export."""

    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("categories disclosed"), default=list)
    reason = models.CharField(_("why"), max_length=300)
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)

    class Meta(PersonReference.Meta):
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"disclosure {self.pk}"


class ErasureJob(LeasedJob):
    """A person's confirmed erasure, carried out by a worker in one transaction (R29).

    The row outlives the person as the proof that the erasure happened: its link to the account
    is SET_NULL and `outcome` holds only counts per model, nothing about the person.
    `steps_done` maps the code of each erasure participant's step done to when (see
    `privacy.participants`): a retried job skips the before steps recorded there.
    """

    task_path = "coursekeeper.privacy.tasks.run_erasure_job"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        RightsRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    steps_done = models.JSONField(_("steps done"), default=dict, blank=True)

    class Meta(LeasedJob.Meta):
        verbose_name = _("erasure job")
        verbose_name_plural = _("erasure jobs")

    def __str__(self) -> str:
        return f"erasure job {self.pk} ({self.status})"


class ExportJob(LeasedJob):
    """A person's copy of their data, built by a worker; the file expires after 7 days (R28)."""

    task_path = "coursekeeper.privacy.tasks.run_export_job"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        RightsRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    portability_only = models.BooleanField(
        _("portable part only"),
        default=False,
        help_text=_("Only what the person gave and what their use produced (GDPR Art. 20)."),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)

    class Meta(LeasedJob.Meta):
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"export job {self.pk} ({self.status})"


class SweepLog(models.Model):
    """What one run of the retention sweep did under one declaration's rule (R33).

    Counts only: the model's label, the rule as declared, the action and how many rows it
    touched, never a value from a row. The row is written when the sweep starts on the rule and
    its counts are updated in each batch's own transaction, so it always says exactly what was
    committed; `finished_at` stays empty when a run was killed before the rule was done.
    """

    class Action(models.TextChoices):
        DELETE = "delete", _("deleted")
        ANONYMISE = "anonymise", _("anonymised")

    run_id = models.UUIDField(_("run"), db_index=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    declaration = models.CharField(_("data"), max_length=100)
    rule = models.CharField(_("rule"), max_length=200)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    count = models.PositiveBigIntegerField(_("rows"), default=0)
    cascaded = models.JSONField(
        _("rows removed with them"),
        default=dict,
        blank=True,
        help_text=_("Per model, the rows deleted along with them (cascades)."),
    )
    batches = models.PositiveIntegerField(_("batches"), default=0)
    dry_run = models.BooleanField(_("dry run"), default=False)
    error = models.CharField(_("error"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("retention sweep log entry")
        verbose_name_plural = _("retention sweep log")
        ordering = ["-started_at", "declaration"]

    def __str__(self) -> str:
        return f"sweep {self.run_id} {self.declaration}: {self.action} {self.count}"


class PolicyVersion(models.Model):
    """One published version of the privacy policy and the cookie policy (R21, R41, R42).

    `content` is the structured, language-neutral content the texts were rendered from
    (`privacy.policy.current_content`); `texts` and `cookie_texts` hold the rendered HTML per
    language ({"da": "...", ...}) exactly as published, so a version reads the same years later
    whatever the code says now. A version is never edited: a change is a new version.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    content = models.JSONField(_("content"))
    texts = models.JSONField(_("policy texts"), default=dict)
    cookie_texts = models.JSONField(_("cookie policy texts"), default=dict)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    effective_at = models.DateTimeField(_("in effect from"), db_index=True)
    material = models.BooleanField(_("material change"), default=False)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # The purposes this version announces (codes), read by the privacy gate on every call.
    purposes = models.JSONField(_("purposes announced"), default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"privacy policy version {self.number}"


class PolicyNotice(models.Model):
    """That one account holder is to be told of one material policy change, and when they were.

    Written in batches with the version it announces; the dispatch
    (`privacy.publishing.dispatch_policy_notices`) queues the email and sets `queued_at` in the
    same transaction, so a rerun finds it queued and sends nothing twice.

    The same row remembers that the person hid the change's notice on the platform's pages
    (`dismissed_at`). Someone who opened an account after the version was published has no row
    until they hide the notice; theirs is written then, marked queued without an email, as the
    dispatch marks a closed account's.
    """

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(_("email queued at"), null=True, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    outbox_message = models.ForeignKey(
        "messaging.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the person hid the notice on the platform's pages (R21); the email is not affected.
    dismissed_at = models.DateTimeField(_("hidden on the platform at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy change notice")
        verbose_name_plural = _("policy change notices")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user"], name="privacy_one_policy_notice_per_account"
            )
        ]
        indexes = [models.Index(fields=["version", "queued_at"], name="privacy_notice_waiting")]

    def __str__(self) -> str:
        return f"policy notice {self.pk}"
