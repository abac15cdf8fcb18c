"""Course news (R18): an instructor's update, emailed to the course's learners through the outbox.

Posting (`post_course_news`) writes the news and its audit row in one transaction and enqueues
the sending after commit; the task carries only the news id. Sending (`send_course_news`) lists
the learners who may get it -- enrolled, with access now, the setting on -- and queues one email
each, in batches. What is atomic: each learner's email is queued in the same savepoint as a
`CourseNewsDelivery` row, unique per news and learner, so the two exist together or not at all.
What a rerun does: it skips every learner who has a delivery row, so nobody gets the news twice,
whether the first run finished, died half-way or runs beside it (the unique constraint settles a
race: the loser's savepoint rolls back, its email with it). `sent_at` is set when a run got
through the list; the periodic `learning_course_news` command picks up news whose task was lost.

The outbox asks the privacy gate about each learner (`email_path`, purpose `deliver_courses`):
a restricted or erased learner gets nothing and gets no delivery row, so a later run asks again.
The news is a service email on the contract, not marketing: no consent is needed, and the
learner can still switch it off per course (`Enrollment.receives_course_news`), on the course
page or by the signed link in every email, which works without signing in.
"""

from __future__ import annotations

import datetime as dt
import logging
from itertools import islice

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Course, CourseNews, CourseNewsDelivery, Enrollment
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_staff_change

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
UNSUBSCRIBE_SALT = "coursekeeper.learning.course_news"
# News whose sending has not finished this long after posting is picked up again.
LOST_AFTER = dt.timedelta(minutes=5)


@transaction.atomic
def post_course_news(*, acting_user, course: Course, subject: str, body: str) -> CourseNews:
    """Post news to `course`'s learners; it is sent in the background after commit (audited)."""
    if not can(acting_user, TEACH, course):
        raise LearningError("not_your_course")
    news = CourseNews.objects.create(
        course=course, author=acting_user, subject=subject.strip(), body=body.strip()
    )
    record_staff_change(
        acting_user=acting_user, obj=news, action=ADDITION, message="course_news_posted"
    )
    from coursekeeper.learning.tasks import send_course_news_task

    transaction.on_commit(lambda: send_course_news_task.enqueue(news.pk))
    return news


def recipients(news: CourseNews):
    """Return the enrolments that may get `news` now and have not got it yet."""
    now = timezone.now()
    return (
        Enrollment.objects.filter(course_id=news.course_id, receives_course_news=True)
        .filter(Q(access_until__isnull=True) | Q(access_until__gt=now))
        .exclude(learner_id__in=news.deliveries.values("learner_id"))
        .select_related("learner")
        .order_by("pk")
    )


def unsubscribe_token(enrollment: Enrollment) -> str:
    return signing.dumps({"e": enrollment.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(enrollment: Enrollment) -> str:
    path = reverse("learning:news_unsubscribe", args=[unsubscribe_token(enrollment)])
    return settings.SITE_URL.rstrip("/") + path


def render_news_email(news: CourseNews, enrollment: Enrollment) -> tuple[str, str]:
    """Return the subject and text: the news as written, the rest in the learner's language."""
    language = enrollment.learner.language or "en"
    context = {
        "news": news,
        "course": news.course,
        "course_url": settings.SITE_URL.rstrip("/")
        + reverse("learning:course", args=[news.course.slug]),
        "unsubscribe_url": unsubscribe_url(enrollment),
    }
    with translation.override(language):
        body = render_to_string("learning/email/course_news_message.txt", context)
    return f"{news.course.title}: {news.subject}", body


def _queue_one(news: CourseNews, enrollment: Enrollment) -> bool:
    """Queue the news for one learner with its delivery row; False when nothing was queued."""
    subject, body = render_news_email(news, enrollment)
    try:
        with transaction.atomic():
            CourseNewsDelivery.objects.create(news=news, learner_id=enrollment.learner_id)
            message = queue_email(
                to=enrollment.learner.email,
                subject=subject,
                body_text=body,
                language=enrollment.learner.language or "en",
                template="learning/course_news",
                recipient=enrollment.learner,
                headers={"List-Unsubscribe": f"<{unsubscribe_url(enrollment)}>"},
            )
            if message is None:  # the gate said no: no delivery row either, a rerun asks again
                raise _Refused
    except (_Refused, IntegrityError):  # refused, or another run queued it a moment ago
        return False
    return True


class _Refused(Exception):
    pass


def send_course_news(*, news_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Queue `news` for every learner who may get it and has not; return how many were queued."""
    news = CourseNews.objects.select_related("course").filter(pk=news_id).first()
    if news is None:
        return 0
    queued = 0
    waiting = iter(recipients(news))
    while batch := list(islice(waiting, batch_size)):
        with transaction.atomic():
            queued += sum(_queue_one(news, enrollment) for enrollment in batch)
    CourseNews.objects.filter(pk=news.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    logger.info("course news %s queued=%s", news.pk, queued)
    return queued


def send_lost_course_news() -> int:
    """Send news whose sending did not finish (its task was lost); return how many items."""
    stale = CourseNews.objects.filter(
        sent_at__isnull=True, created_at__lte=timezone.now() - LOST_AFTER
    ).values_list("pk", flat=True)
    count = 0
    for news_id in stale:
        send_course_news(news_id=news_id)
        count += 1
    return count


@transaction.atomic
def set_receives_course_news(*, learner, course: Course, receives: bool) -> Enrollment:
    """Switch the learner's course news on or off; refused when they are not enrolled."""
    enrollment = Enrollment.objects.filter(learner=learner, course=course).first()
    if enrollment is None:
        raise LearningError("not_enrolled")
    if enrollment.receives_course_news != receives:
        enrollment.receives_course_news = receives
        enrollment.save(update_fields=["receives_course_news"])
    return enrollment


def enrollment_for_token(token: str) -> Enrollment:
    """Return the enrolment an unsubscribe link names; refuse a link we did not sign."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise LearningError("news_link_invalid") from error
    enrollment_id = payload.get("e") if isinstance(payload, dict) else None
    enrollment = (
        Enrollment.objects.select_related("course").filter(pk=enrollment_id).first()
        if isinstance(enrollment_id, int)
        else None
    )
    if enrollment is None:
        raise LearningError("news_link_invalid")
    return enrollment


@transaction.atomic
def unsubscribe_from_news(*, token: str) -> Enrollment:
    """Switch off the course news the link's enrolment gets (no sign-in needed)."""
    enrollment = enrollment_for_token(token)
    Enrollment.objects.filter(pk=enrollment.pk).update(receives_course_news=False)
    enrollment.receives_course_news = False
    return enrollment


def past_news(course: Course) -> list[CourseNews]:
    """Return the course's sent news, newest first (what its learners see on the course page)."""
    return list(CourseNews.objects.filter(course=course, sent_at__isnull=False)[:20])
