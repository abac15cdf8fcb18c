"""The demo school's certificates (R9): every demo course gives one, and the first course's
participation is documented for five years under a made-up professional duty, so the erase
page and the public check show what a held record looks like.

Idempotent: settings are created once and left alone after that (an instructor may have
changed them), and certificates are issued only where none exists.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coursekeeper.certificates.models import Certificate, CertificateSettings
from coursekeeper.certificates.services import issue_certificate
from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress

DEMO_DUTY = "Demo: a professional body's duty of continuing training"
# slug -> (hours, years the participation is documented for, or None)
DEMO_SETTINGS: dict[str, tuple[Decimal, int | None]] = {
    "bookkeeping-for-small-businesses": (Decimal("6"), 5),
    "grundlaeggende-projektledelse": (Decimal("4.5"), None),
    "datenschutz-im-kursalltag": (Decimal("3"), None),
}


@transaction.atomic
def seed_demo_certificates() -> int:
    """Turn certificates on for the demo courses and issue those already earned; return how
    many certificates were issued now."""
    for course in Course.objects.filter(slug__in=DEMO_SETTINGS):
        hours, years = DEMO_SETTINGS[course.slug]
        CertificateSettings.objects.get_or_create(
            course=course,
            defaults={
                "enabled": True,
                "hours": hours,
                "documented_participation": years is not None,
                "duty_name": DEMO_DUTY if years else "",
                "keep_years": years,
            },
        )
    issued = 0
    for enrollment in Enrollment.objects.filter(
        completed_at__isnull=False, course__certificate_settings__enabled=True
    ).select_related("learner", "course"):
        if not Certificate.objects.filter(
            learner_id=enrollment.learner_id, course_id=enrollment.course_id
        ).exists():
            issued += issue_certificate(enrollment=enrollment) is not None
    return issued


@transaction.atomic
def complete_course_with_certificate(*, learner, course: Course) -> Certificate | None:
    """Let a demo learner have finished every lesson of `course`, and issue its certificate.

    For demo data only: it writes the progress directly, as the seeding commands do.
    """
    now = timezone.now()
    enrollment, _new = Enrollment.objects.get_or_create(learner=learner, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        LessonProgress.objects.update_or_create(
            learner=learner, lesson=lesson, defaults={"completed_at": now, "updated_at": now}
        )
    if enrollment.completed_at is None:
        enrollment.completed_at = now
        enrollment.last_activity_at = now
        enrollment.save(update_fields=["completed_at", "last_activity_at"])
    return issue_certificate(enrollment=enrollment)
