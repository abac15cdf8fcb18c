"""The emails that announce a material change of the policy to every account holder.

`dispatch_policy_notices` queues them in batches, one transaction each, and marks each notice
queued in the same transaction, so a rerun or a second worker sends nothing twice; the task
`send_policy_notices` runs it after a publication commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_tasks import task

from coursekeeper.privacy import policy
from coursekeeper.privacy.models import PolicyNotice, PolicyVersion, ProviderSettings
from coursekeeper.privacy.publishing.changes import describe_change

logger = logging.getLogger(__name__)

NOTICE_BATCH_SIZE = 200


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def diff_url(version: PolicyVersion) -> str:
    """Return the address of the comparison of `version` with the one before it."""
    previous = PolicyVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    if previous is None:
        return _site_url() + reverse("privacy:policy")
    return _site_url() + reverse("privacy:policy_diff", args=[previous.number, version.number])


def render_notice(version: PolicyVersion, *, language: str) -> tuple[str, str]:
    """Return the subject and text of the email announcing `version`, in `language`."""
    provider = ProviderSettings.load()
    with translation.override(language):
        changes = sorted(version.changes, key=lambda change: not change["material"])
        context = {
            "school": provider.legal_name or getattr(settings, "SCHOOL_NAME", ""),
            "version": version,
            "effective": formats.date_format(
                timezone.localtime(version.effective_at), "DATE_FORMAT"
            ),
            "material": [describe_change(c) for c in changes if c["material"]],
            "other": [describe_change(c) for c in changes if not c["material"]],
            "diff_url": diff_url(version),
            "policy_url": _site_url() + reverse("privacy:policy"),
        }
        subject = render_to_string("privacy/policy/email/notice_subject.txt", context).strip()
        body = render_to_string("privacy/policy/email/notice.txt", context).strip() + "\n"
    return " ".join(subject.split()), body


def _queue_notice(notice: PolicyNotice, user) -> None:
    from coursekeeper.messaging.services import queue_email

    language = user.language if user.language in policy.POLICY_LANGUAGES else "en"
    subject, body = render_notice(notice.version, language=language)
    notice.outbox_message = queue_email(
        to=user.email,
        subject=subject,
        body_text=body,
        language=language,
        template="privacy/policy_notice",
        recipient=user,
    )
    notice.language = language


def dispatch_policy_notices(*, batch_size: int = NOTICE_BATCH_SIZE) -> int:
    """Queue the emails of every notice not yet queued, a batch per transaction; return how many.

    Safe to run from several workers and again after a crash (see the package docstring).
    An account closed since the version was published gets no email; its notice is marked
    done without one.
    """
    queued = 0
    while True:
        with transaction.atomic():
            batch = list(
                PolicyNotice.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(queued_at__isnull=True)
                .select_related("version", "user")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            now = timezone.now()
            for notice in batch:
                if notice.user.is_active and notice.user.email:
                    _queue_notice(notice, notice.user)
                    queued += 1
                notice.queued_at = now
            PolicyNotice.objects.bulk_update(batch, ["queued_at", "outbox_message", "language"])
    if queued:
        logger.info("privacy policy notices queued=%s", queued)
    return queued


@task()
def send_policy_notices() -> None:
    """Queue the emails of the policy-change notices that are waiting; safe to run again.

    Defined here rather than in tasks.py to keep the policy in its own modules; it carries
    no arguments and only calls the service.
    """
    dispatch_policy_notices()
