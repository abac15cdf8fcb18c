"""R5, R6, R18, R28, R29, R30, R34, R35, R38: exercises handed in and reviewed."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.assignments import services
from coursekeeper.assignments.demo import seed_demo_handin
from coursekeeper.assignments.errors import AssignmentError
from coursekeeper.assignments.factories import HandinLessonFactory, SubmissionFactory
from coursekeeper.assignments.models import Submission
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory, ModuleFactory
from coursekeeper.learning.models import Enrollment, Lesson, LessonProgress
from coursekeeper.learning.tests.test_editor import instructor_client
from coursekeeper.learning.tests.test_lesson_uploads import NOT_ALLOWED, signed_in
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.exports import build_export
from coursekeeper.privacy.factories import RestrictionFactory
from coursekeeper.privacy.models import StaffAccess
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.sweep import run_sweep
from coursekeeper.privacy.walks import erase_person, export_person
from coursekeeper.security.services import course_pseudonym

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def course_with_exercise(token):
    """A course taught by an instructor signed in with TOTP, with one exercise to hand in."""
    instructor, teacher = instructor_client()
    module = ModuleFactory(course=CourseFactory(instructor=instructor))
    lesson = HandinLessonFactory(module=module, title=f"Exercise {token}")
    learner = UserFactory(full_name=f"Lene {token} Learner", email=f"lene-{token}@example.org")
    EnrollmentFactory(learner=learner, course=module.course)
    return {
        "course": module.course,
        "lesson": lesson,
        "instructor": instructor,
        "teacher": teacher,
        "learner": learner,
        "client": signed_in(learner),
    }


def hand_in(client: Client, lesson: Lesson, **data):
    return client.post(reverse("assignments:hand_in", args=[lesson.pk]), data)


def review(world, submission: Submission, decision: str, comment: str = ""):
    url = reverse("assignments:review", args=[world["course"].slug, submission.pk])
    return world["teacher"].post(url, {"decision": decision, "comment": comment})


# --- Handing in -------------------------------------------------------------------------------


def test_r6_a_learner_hands_in_text_and_sees_it_waiting_for_review(course_with_exercise):
    world = course_with_exercise
    lesson = world["lesson"]

    response = hand_in(world["client"], lesson, text="  The budget balances.  ")

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:lesson", args=[lesson.pk])
    submission = Submission.objects.get()
    assert (submission.learner, submission.lesson, submission.text, submission.status) == (
        world["learner"],
        lesson,
        "The budget balances.",
        "submitted",
    )
    assert (submission.file.name, submission.file_type, submission.file_size) == ("", "", None)
    page = world["client"].get(reverse("learning:lesson", args=[lesson.pk])).content.decode()
    assert 'data-handin-status="submitted"' in page
    assert "The budget balances." in page
    # No "Mark as done" for a hand-in: the review decides.
    assert reverse("learning:complete", args=[lesson.pk]) not in page
    assert reverse("assignments:hand_in", args=[lesson.pk]) not in page


def test_r6_a_learner_hands_in_an_allowed_file_and_downloads_it_again(
    course_with_exercise, media_root
):
    world = course_with_exercise
    upload = SimpleUploadedFile("budget.pdf", PDF, content_type="text/html")

    response = hand_in(world["client"], world["lesson"], text="", file=upload)

    assert response.status_code == 302
    submission = Submission.objects.get()
    # The type is the one the content was checked to be, not the one the browser claimed.
    assert (submission.file_name, submission.file_type, submission.file_size) == (
        "budget.pdf",
        "application/pdf",
        len(PDF),
    )
    assert stored_files(media_root) == [Path(submission.file.path)]
    download = world["client"].get(reverse("assignments:own_file", args=[submission.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="budget.pdf"'


def test_r38_a_file_of_a_refused_type_is_refused_saying_what_is_allowed(
    course_with_exercise, media_root
):
    world = course_with_exercise
    upload = SimpleUploadedFile("notes.html", b"<html><script>x()</script></html>")

    response = hand_in(world["client"], world["lesson"], text="See the file.", file=upload)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert NOT_ALLOWED in page.replace("&quot;", '"')
    assert Submission.objects.count() == 0
    assert stored_files(media_root) == []


def test_r38_a_file_too_large_is_refused_with_the_limit(course_with_exercise, media_root, settings):
    settings.HANDIN_MAX_FILE_BYTES = 20
    world = course_with_exercise
    upload = SimpleUploadedFile("budget.pdf", PDF)

    response = hand_in(world["client"], world["lesson"], text="", file=upload)

    assert response.status_code == 400
    assert (
        f"The file is {len(PDF)}\xa0bytes; a hand-in may be at most 20\xa0bytes."
        in response.content.decode()
    )
    assert Submission.objects.count() == 0
    assert stored_files(media_root) == []


def test_r6_an_empty_hand_in_is_refused(course_with_exercise):
    world = course_with_exercise

    response = hand_in(world["client"], world["lesson"], text="   ")

    assert response.status_code == 400
    assert "Write an answer or choose a file to hand in." in response.content.decode()
    assert Submission.objects.count() == 0


def test_r30_a_restricted_learner_cannot_hand_in_and_nothing_is_stored(
    course_with_exercise, media_root
):
    world = course_with_exercise
    RestrictionFactory(user=world["learner"])
    upload = SimpleUploadedFile("budget.pdf", PDF)

    response = hand_in(world["client"], world["lesson"], text="My answer.", file=upload)

    assert response.status_code == 403
    assert (
        "You restricted the processing of your data, so nothing can be handed in while the "
        "restriction lasts. Nothing was saved."
    ) in response.content.decode()
    assert Submission.objects.count() == 0
    assert stored_files(media_root) == []


def test_r6_a_learner_not_enrolled_cannot_hand_in(course_with_exercise):
    world = course_with_exercise
    stranger = signed_in(UserFactory())

    response = hand_in(stranger, world["lesson"], text="Let me in.")

    assert response.status_code == 403
    assert Submission.objects.count() == 0


# --- Reviewing --------------------------------------------------------------------------------


def test_r6_redo_cycle_keeps_the_history_and_the_latest_is_reviewed(course_with_exercise):
    world = course_with_exercise
    lesson, learner = world["lesson"], world["learner"]
    hand_in(world["client"], lesson, text="First try.")
    first = Submission.objects.get()

    # A second hand-in while the first waits is refused.
    with pytest.raises(AssignmentError) as waiting:
        services.hand_in(learner=learner, lesson=lesson, text="Impatient.")
    assert waiting.value.code == "waiting"

    response = review(world, first, "to_redo", "Add the costs of the hall.")
    assert response.status_code == 302
    page = world["client"].get(reverse("learning:lesson", args=[lesson.pk])).content.decode()
    assert 'data-handin-status="to_redo"' in page
    assert "Add the costs of the hall." in page
    assert "Hand in again" in page

    assert hand_in(world["client"], lesson, text="Second try.").status_code == 302

    assert list(
        Submission.objects.order_by("pk").values_list("text", "status", "comment", "reviewer")
    ) == [
        ("First try.", "to_redo", "Add the costs of the hall.", world["instructor"].pk),
        ("Second try.", "submitted", "", None),
    ]
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_r6_sending_back_without_a_comment_is_refused_and_changes_nothing(course_with_exercise):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"], file=None)

    response = review(world, submission, "to_redo", "  ")

    assert response.status_code == 400
    assert "Tell the learner what to change when you send an exercise back." in (
        response.content.decode()
    )
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_at, submission.reviewer) == (
        "submitted",
        None,
        None,
    )
    assert OutboxMessage.objects.count() == 0


def test_r5_passing_the_exercise_completes_the_lesson_and_the_course(course_with_exercise):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"], file=None)

    response = review(world, submission, "passed", "Well done.")

    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.comment, submission.reviewer) == (
        "passed",
        "Well done.",
        world["instructor"],
    )
    progress = LessonProgress.objects.get(learner=world["learner"], lesson=world["lesson"])
    assert progress.completed_at is not None
    enrollment = Enrollment.objects.get(learner=world["learner"])
    assert enrollment.completed_at is not None
    # Audited in the same transaction.
    entry = LogEntry.objects.get(object_id=str(submission.pk))
    assert (entry.user_id, entry.object_repr, entry.change_message) == (
        world["instructor"].pk,
        f"submission {submission.pk}",
        '[{"handin_passed": {}}]',
    )
    page = world["client"].get(reverse("learning:lesson", args=[world["lesson"].pk]))
    assert 'data-handin-status="passed"' in page.content.decode()
    # A passed exercise takes no more hand-ins.
    with pytest.raises(AssignmentError) as passed:
        services.hand_in(learner=world["learner"], lesson=world["lesson"], text="More.")
    assert passed.value.code == "passed"


def test_r18_the_learner_is_emailed_through_the_outbox_in_their_language(course_with_exercise):
    world = course_with_exercise
    learner = world["learner"]
    learner.language = "de"
    learner.save(update_fields=["language"])
    submission = SubmissionFactory(learner=learner, lesson=world["lesson"], file=None)

    review(world, submission, "to_redo", "Add the costs of the hall.")

    message = OutboxMessage.objects.get()
    assert (message.email, message.recipient, message.language, message.template) == (
        learner.email,
        learner,
        "de",
        "assignments/reviewed",
    )
    link = f"http://testserver{reverse('learning:lesson', args=[world['lesson'].pk])}"
    assert "Add the costs of the hall." in message.body_text
    assert link in message.body_text
    # The instructor's name is not in the message (their identity is theirs).
    assert world["instructor"].full_name not in message.body_text


def test_r18_a_restricted_learners_hand_in_is_not_reviewed_and_no_email_goes(
    course_with_exercise,
):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"], file=None)
    RestrictionFactory(user=world["learner"])

    response = review(world, submission, "passed", "Well done.")

    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert OutboxMessage.objects.count() == 0
    assert LessonProgress.objects.count() == 0


# --- What the instructor sees (R34, R35) ------------------------------------------------------


def test_r34_instructor_pages_show_the_pseudonym_never_the_name_or_email(course_with_exercise):
    world = course_with_exercise
    learner, course = world["learner"], world["course"]
    submission = SubmissionFactory(learner=learner, lesson=world["lesson"], text="An answer.")
    pseudonym = course_pseudonym(course.pk, learner.pk)

    pages = [
        world["teacher"].get(reverse("learning:editor_course", args=[course.slug])),
        world["teacher"].get(reverse("assignments:queue", args=[course.slug])),
        world["teacher"].get(reverse("assignments:review", args=[course.slug, submission.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    outline, queue, opened = (page.content.decode() for page in pages)
    assert reverse("assignments:queue", args=[course.slug]) in outline
    assert pseudonym in queue and pseudonym in opened
    assert "An answer." in opened
    for page in (queue, opened):
        assert learner.full_name not in page
        assert learner.email not in page


def test_r35_opening_a_hand_in_and_its_file_is_access_logged(course_with_exercise):
    world = course_with_exercise
    learner, course = world["learner"], world["course"]
    submission = SubmissionFactory(learner=learner, lesson=world["lesson"])

    world["teacher"].get(reverse("assignments:review", args=[course.slug, submission.pk]))
    download = world["teacher"].get(
        reverse("assignments:review_file", args=[course.slug, submission.pk])
    )

    assert b"".join(download.streaming_content) == submission.file.read()
    logged = StaffAccess.objects.filter(staff=world["instructor"]).order_by("pk")
    assert list(logged.values_list("user_id", "object_id", "place", "categories", "purpose")) == [
        (learner.pk, str(submission.pk), "assignments:review", ["usage", "content"],
         "deliver_courses"),
        (learner.pk, str(submission.pk), "assignments:review_file", ["usage", "content"],
         "deliver_courses"),
    ]  # fmt: skip


def test_r34_another_instructor_cannot_see_the_queue_or_a_hand_in(course_with_exercise):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"])
    _other, other_teacher = instructor_client()
    slug = world["course"].slug

    responses = [
        other_teacher.get(reverse("assignments:queue", args=[slug])),
        other_teacher.get(reverse("assignments:review", args=[slug, submission.pk])),
        other_teacher.get(reverse("assignments:review_file", args=[slug, submission.pk])),
        other_teacher.post(
            reverse("assignments:review", args=[slug, submission.pk]), {"decision": "passed"}
        ),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert StaffAccess.objects.count() == 0


def test_r28_another_learner_cannot_download_someones_file(course_with_exercise):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"])
    classmate = UserFactory()
    EnrollmentFactory(learner=classmate, course=world["course"])

    response = signed_in(classmate).get(reverse("assignments:own_file", args=[submission.pk]))

    assert response.status_code == 404
    assert world["learner"].full_name.encode() not in response.content


# --- The person's rights (R28, R29) -----------------------------------------------------------


def test_r28_the_access_copy_includes_the_hand_in(course_with_exercise):
    world = course_with_exercise
    submission = SubmissionFactory(learner=world["learner"], lesson=world["lesson"])
    person = Person.for_user(world["learner"])

    exported = export_person(person)["assignments.Submission"]
    archive = zipfile.ZipFile(
        io.BytesIO(build_export(person, portability_only=False, language="en"))
    )
    data = archive.read("data.json").decode()

    assert [(row["text"], row["file"], row["status"]) for row in exported] == [
        (submission.text, submission.file.name, "submitted")
    ]
    assert json.dumps(submission.text)[1:-1] in data
    assert submission.file_name in data


def test_r29_erasure_deletes_the_hand_ins_and_their_files(course_with_exercise, media_root):
    world = course_with_exercise
    SubmissionFactory(learner=world["learner"], lesson=world["lesson"], status="to_redo")
    SubmissionFactory(learner=world["learner"], lesson=world["lesson"])
    kept = SubmissionFactory(lesson=world["lesson"])
    assert len(stored_files(media_root)) == 3

    outcome = erase_person(Person.for_user(world["learner"]))

    assert outcome.erased["assignments.Submission"] == 2
    assert list(Submission.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files(media_root) == [Path(kept.file.path)]


def test_r29_the_retention_sweep_deletes_old_hand_ins_and_their_files(
    course_with_exercise, media_root
):
    world = course_with_exercise
    old = timezone.now() - dt.timedelta(days=5 * 366 + 2)
    SubmissionFactory(learner=world["learner"], lesson=world["lesson"], updated_at=old)
    recent = SubmissionFactory(learner=world["learner"], lesson=world["lesson"])

    run_sweep()

    assert list(Submission.objects.values_list("pk", flat=True)) == [recent.pk]
    assert stored_files(media_root) == [Path(recent.file.path)]


# --- The demo -----------------------------------------------------------------------------------


def test_r6_the_demo_exercise_is_added_once():
    course = CourseFactory(language="da")
    ModuleFactory(course=course, position=1)

    first = seed_demo_handin(course)
    again = seed_demo_handin(course)

    assert first == again
    assert list(Lesson.objects.filter(module__course=course).values_list("kind", "title")) == [
        ("handin", "Aflevering: dit første budget")
    ]


def test_r6_a_second_hand_in_while_one_waits_is_refused_with_a_message(course_with_exercise):
    world = course_with_exercise
    hand_in(world["client"], world["lesson"], text="First try.")

    response = hand_in(world["client"], world["lesson"], text="Second try.")

    assert response.status_code == 409
    assert (
        "Your last hand-in is waiting for review. You can hand in again if it comes back."
        in response.content.decode()
    )
    assert list(Submission.objects.values_list("text", flat=True)) == ["First try."]
