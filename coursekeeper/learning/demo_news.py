"""Demo data: one piece of course news, already sent, on a demo course (R18)."""

from __future__ import annotations

from django.utils import timezone

from coursekeeper.learning.models import Course, CourseNews

DEMO_SUBJECT = "Live question hour on Thursday"
DEMO_BODY = (
    "Hello everyone,\n\n"
    "on Thursday at 17:00 I answer your questions about the first module in a live hour. "
    "Bring what puzzled you; the recording follows in the course.\n\n"
    "See you there!"
)


def seed_demo_news(course: Course) -> CourseNews:
    """Give `course` one sent news item by its instructor; a second call changes nothing.

    The demo's learners are made up, so no email is queued: the news is marked sent and shows
    on the course page and in the course editor as sent news does.
    """
    existing = CourseNews.objects.filter(course=course, subject=DEMO_SUBJECT).first()
    if existing is not None:
        return existing
    now = timezone.now()
    return CourseNews.objects.create(
        course=course,
        author=course.instructor,
        subject=DEMO_SUBJECT,
        body=DEMO_BODY,
        created_at=now,
        sent_at=now,
    )
