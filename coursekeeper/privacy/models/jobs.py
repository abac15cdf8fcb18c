"""The work done for a person and on the schedule: erasure and export jobs, the sweep's log.

With them the erasure ledger, the keyed hashes that let an erasure be carried out again after a
backup is restored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coursekeeper.jobs.models import LeasedJob
from coursekeeper.privacy.models.requests import RightsRequest


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
