"""Every write of the hand-in app: a learner hands an exercise in, an instructor reviews it.

Both are processing paths (`assignments.privacy`) and ask the privacy gate before anything is
written or stored: a restricted learner's hand-in is refused before its file touches storage,
and a review of a restricted learner's hand-in changes nothing. A review that passes the
exercise completes the lesson through `learning.services.complete_lesson` (so the course's
completion follows), writes the audit row and queues the learner's email, all in one
transaction: either the verdict, the progress, the audit row and the email all stand, or none.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from coursekeeper.assignments.errors import AssignmentError
from coursekeeper.assignments.models import Submission
from coursekeeper.assignments.privacy import HAND_IN, REVIEW_HANDIN
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.models import Lesson
from coursekeeper.learning.services import complete_lesson, open_lesson_for
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.access.roles import TEACH, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.paths import ProcessingPath
from coursekeeper.privacy.people import Person
from coursekeeper.web import uploads

# The largest file a learner may hand in, unless the settings say otherwise.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
TOO_LARGE = _("The file is %(size)s; a hand-in may be at most %(limit)s. Hand in a smaller file.")


def max_file_bytes() -> int:
    return int(getattr(settings, "HANDIN_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def check_file(file: UploadedFile) -> uploads.AllowedType:
    """Return what an uploaded file is, judged by its content; refuse one too large or not
    allowed with a ValidationError that says what is allowed."""
    limit = max_file_bytes()
    if file.size is not None and file.size > limit:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    return uploads.identify(file, name=file.name or "")


def ask_gate(path: ProcessingPath, person: Person, *, restricted: str) -> None:
    decision = path.ask(person)
    if not decision:
        raise AssignmentError(
            restricted if decision.reason == "restricted" else "processing_refused"
        )


def latest_submission(*, learner, lesson: Lesson) -> Submission | None:
    return Submission.objects.filter(learner=learner, lesson=lesson).order_by("-pk").first()


@transaction.atomic
def hand_in(*, learner, lesson: Lesson, text: str, file: UploadedFile | None = None) -> Submission:
    """Hand in an answer (text, a file or both) to an exercise the learner may open.

    Refused, with nothing stored: an empty hand-in, a second one while the last waits for
    review or after the exercise passed, a file that is too large or not allowed, and any
    hand-in of a learner whose processing is restricted.
    """
    if lesson.kind != Lesson.Kind.HANDIN:
        raise AssignmentError("not_a_handin")
    open_lesson_for(learner=learner, lesson=lesson)
    text = text.strip()
    if not text and not file:
        raise AssignmentError("empty", field_name="text")
    latest = (
        Submission.objects.select_for_update()
        .filter(learner=learner, lesson=lesson)
        .order_by("-pk")
        .first()
    )
    if latest is not None and latest.status == Submission.Status.SUBMITTED:
        raise AssignmentError("waiting")
    if latest is not None and latest.status == Submission.Status.PASSED:
        raise AssignmentError("passed")
    file_type = check_file(file).media_type if file else ""
    ask_gate(HAND_IN, Person.for_user(learner), restricted="handin_restricted")
    now = timezone.now()
    submission = Submission(
        learner=learner,
        lesson=lesson,
        text=text,
        file_type=file_type,
        file_size=file.size if file else None,
        submitted_at=now,
        updated_at=now,
    )
    if file:
        submission.file.save(file.name or "file", file, save=False)
    submission.save()
    return submission


@transaction.atomic
def review_submission(
    *,
    acting_user,
    submission: Submission,
    decision: str,
    comment: str,
    base_url: str,
) -> Submission:
    """Mark a waiting hand-in passed or to redo, with a comment; tell the learner by email.

    Only the latest hand-in of its learner and lesson waits for review. Passing it completes
    the lesson for the learner. Sending it back needs a comment saying what to change.
    """
    if decision not in (Submission.Status.PASSED, Submission.Status.TO_REDO):
        raise AssignmentError("bad_decision", field_name="decision")
    submission = (
        Submission.objects.select_for_update()
        .select_related("learner", "lesson__module__course")
        .get(pk=submission.pk)
    )
    lesson = submission.lesson
    if not can(acting_user, TEACH, lesson.module.course):
        raise AssignmentError("not_your_course")
    if submission.status != Submission.Status.SUBMITTED:
        raise AssignmentError("not_waiting")
    comment = comment.strip()
    if decision == Submission.Status.TO_REDO and not comment:
        raise AssignmentError("comment_needed", field_name="comment")
    learner = submission.learner
    ask_gate(REVIEW_HANDIN, Person.for_user(learner), restricted="review_restricted")
    now = timezone.now()
    submission.status = decision
    submission.comment = comment
    submission.reviewer = acting_user
    submission.reviewed_at = now
    submission.updated_at = now
    submission.save(update_fields=["status", "comment", "reviewer", "reviewed_at", "updated_at"])
    if decision == Submission.Status.PASSED:
        try:
            complete_lesson(learner=learner, lesson=lesson)
        except LearningError as refused:
            raise AssignmentError("learner_cannot_continue") from refused
    record_staff_change(
        acting_user=acting_user,
        obj=submission,
        action=CHANGE,
        message="handin_passed" if decision == Submission.Status.PASSED else "handin_to_redo",
    )
    _tell_learner(submission, base_url=base_url)
    return submission


def _tell_learner(submission: Submission, *, base_url: str) -> None:
    """Queue the service email saying the exercise was reviewed, in the learner's language."""
    learner = submission.learner
    language = learner.language or "en"
    link = base_url + reverse("learning:lesson", args=[submission.lesson_id])
    with translation.override(language):
        context = {
            "lesson": submission.lesson,
            "passed": submission.status == Submission.Status.PASSED,
            "comment": submission.comment,
            "link": link,
        }
        subject = render_to_string("assignments/email/reviewed_subject.txt", context).strip()
        body = render_to_string("assignments/email/reviewed_message.txt", context)
    queue_email(
        to=learner.email,
        subject=subject,
        body_text=body,
        language=language,
        template="assignments/reviewed",
        recipient=learner,
    )
