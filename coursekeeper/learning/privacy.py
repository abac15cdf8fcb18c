"""What the learning app holds about people (R4, R5)."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import (
    Course,
    CourseNews,
    CourseNewsDelivery,
    Enrollment,
    Lesson,
    LessonProgress,
    MaterialRequest,
    Module,
    Topic,
)
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    After,
    Anonymise,
    Category,
    Event,
    Identifier,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose

DELIVER_COURSES = register_purpose(
    Purpose(
        "deliver_courses",
        LegalBasis.CONTRACT,
        _("Your courses"),
        _("To give you the courses you enrolled in and remember how far you got."),
        data_subjects=(DataSubjects.LEARNERS, DataSubjects.INSTRUCTORS),
    )
)
FREE_MATERIAL = register_purpose(
    Purpose(
        "free_material",
        LegalBasis.CONTRACT,
        _("Free material"),
        _("To send you the free material you asked for."),
        data_subjects=(DataSubjects.MATERIAL_REQUESTERS,),
    )
)
COURSE_STATISTICS = register_purpose(
    Purpose(
        "course_statistics",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Course statistics"),
        _(
            "To show a course's instructor where learners struggle: how many go on from one "
            "lesson to the next, how many get half-way and finish, and how long lessons take. "
            "The instructor sees only counts about groups, never who is in them, and no count "
            "about a group smaller than the threshold we set."
        ),
        balancing_note=_(
            "Better courses are in your interest too, and the figures are counts about groups "
            "too big to single anyone out; for them we note when you first open a lesson."
        ),
        objectable=True,
        data_subjects=(DataSubjects.LEARNERS,),
    )
)

declare_not_personal(Topic, reason="course topics")
declare_not_personal(Course.topics.through, reason="which topics a course has")
declare_not_personal(Module, reason="the parts of a course")
declare_not_personal(Lesson, reason="course content")
declare(
    Course,
    subject=Account("instructor", keeps_row_on_erasure=True),
    purposes=[DELIVER_COURSES],
    fields={
        "slug": NOT_PERSONAL,
        "title": NOT_PERSONAL,
        "summary": NOT_PERSONAL,
        "description": NOT_PERSONAL,
        "language": NOT_PERSONAL,
        "topics": NOT_PERSONAL,
        "instructor": Category.IDENTITY,
        "is_published": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
        "updated_at": NOT_PERSONAL,
    },
    erasure=Anonymise({}),
    source="staff",
    notes="A course outlives its instructor's account; the link to them goes with the account.",
    reading=Reading(references=("title",)),
)
declare(
    Enrollment,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "learner": Category.IDENTITY,
        "course": Category.USAGE,
        "enrolled_at": Category.USAGE,
        "completed_at": Category.USAGE,
        "last_lesson": Category.USAGE,
        "last_activity_at": Category.USAGE,
        "access_until": Category.USAGE,
        "receives_course_news": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="last_activity_at", years=5),
    erasure=DELETE,
    source="use",
    reading=Reading(references=("course",)),
)
declare(
    LessonProgress,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES, COURSE_STATISTICS],
    fields={
        "learner": Category.IDENTITY,
        "lesson": Category.USAGE,
        "position_seconds": Category.USAGE,
        "completed_at": Category.USAGE,
        "updated_at": Category.USAGE,
        "first_opened_at": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="updated_at", years=5),
    erasure=DELETE,
    source="use",
    reading=Reading(
        references=("lesson__module__course", "lesson"),
        labels={"lesson__module__course": _("course")},
    ),
)
declare(
    CourseNews,
    subject=Account("author", keeps_row_on_erasure=True),
    purposes=[DELIVER_COURSES],
    fields={
        "course": NOT_PERSONAL,
        "author": Category.IDENTITY,
        "subject": NOT_PERSONAL.because("course news the instructor wrote for every learner"),
        "body": NOT_PERSONAL.because("course news the instructor wrote for every learner"),
        "created_at": NOT_PERSONAL,
        "sent_at": NOT_PERSONAL,
    },
    erasure=Anonymise({}),
    source="staff",
    notes="The news is about the course, not about learners; it outlives its author's account, "
    "and the link to them goes with the account.",
    reading=Reading(references=("course",)),
)
declare(
    CourseNewsDelivery,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "news": Category.COMMUNICATION,
        "learner": Category.IDENTITY,
        "queued_at": Category.COMMUNICATION,
    },
    retention=After(Event.SENT, column="queued_at", days=30),
    erasure=DELETE,
    source="system",
    notes="Which news went to which learner, so a rerun of the sending never sends it twice; "
    "kept 30 days, as long as the outbox keeps the email itself.",
    reading=Reading(references=("news",)),
)
declare(
    MaterialRequest,
    subject=Identifier("email"),
    purposes=[FREE_MATERIAL],
    fields={
        "lesson": NOT_PERSONAL.because("which material was asked for"),
        "name": Category.IDENTITY,
        "email": Category.CONTACT,
        "token": Category.TECHNICAL,
        "link_sent_at": Category.USAGE,
    },
    retention=After(Event.LINK_SENT, column="link_sent_at", days=30),
    erasure=DELETE,
    reading=Reading(references=("lesson",)),
)


# --- Where the courses are delivered ------------------------------------------------------------
# Progress is what a restriction is for: while the person contests its accuracy or needs it
# kept as it is (Art. 18(1)), saving a new place would change it, and none of the exceptions
# of Art. 18(2) covers a video player saving on its own. So a restricted learner's place is not
# saved and no lesson is marked done; the lesson itself can still be watched (SHOW_LESSON).

SAVE_POSITION = processing_path(
    DELIVER_COURSES,
    name="learning.save_position",
    title=_("saving your place in a video"),
    where="coursekeeper.learning.services.record_position",
    rehearsal="coursekeeper.learning.factories.rehearse_save_position",
)
MARK_LESSON_DONE = processing_path(
    DELIVER_COURSES,
    name="learning.mark_lesson_done",
    title=_("marking lessons and courses done"),
    where="coursekeeper.learning.services.complete_lesson",
    rehearsal="coursekeeper.learning.factories.rehearse_mark_lesson_done",
)
SHOW_LESSON = processing_path(
    DELIVER_COURSES,
    name="learning.show_lesson",
    title=_("showing you a lesson you open"),
    where=(
        "coursekeeper.learning.selectors.lesson_page",
        "coursekeeper.learning.services.open_lesson_for",
    ),
    rehearsal="coursekeeper.learning.factories.rehearse_show_lesson",
    # The person opens the lesson themselves, and opening it asks for exactly this: that we
    # read their enrolment and show them the lesson. Nothing about them is recorded and nobody
    # else sees anything, so the request itself is the consent Art. 18(2) allows for.
    exception=DespiteRestriction.CONSENT,
)
# --- Course statistics (R6, R34) ------------------------------------------------------------------
# Noting when a learner first opens a lesson is done for the statistics alone, so a learner who
# objected to them, or restricted processing, is not noted. Counting asks the gate for the whole
# group at once (`privacy.gate.refused_accounts`): whoever the gate refuses is left out of
# every figure (`learning.insight`).

NOTE_LESSON_OPENED = processing_path(
    COURSE_STATISTICS,
    name="learning.note_lesson_opened",
    title=_("noting when you first open a lesson"),
    where="coursekeeper.learning.services.note_lesson_opened",
    rehearsal="coursekeeper.learning.factories.rehearse_note_lesson_opened",
)
COUNT_FOR_STATISTICS = processing_path(
    COURSE_STATISTICS,
    name="learning.count_for_statistics",
    title=_("counting your progress into a course's statistics"),
    where=(
        "coursekeeper.learning.insight.counts_in_statistics",
        "coursekeeper.learning.insight.course_insight",
    ),
    rehearsal="coursekeeper.learning.factories.rehearse_count_for_statistics",
)
SEND_FREE_MATERIAL = processing_path(
    FREE_MATERIAL,
    name="learning.send_free_material",
    title=_("sending free material you ask for"),
    where="coursekeeper.learning.services.request_free_material",
    rehearsal="coursekeeper.learning.factories.rehearse_send_free_material",
)
# Course news is part of the course the learner enrolled in (R18): a service email on the
# contract, no consent needed; a restriction stops it, and the learner can switch it off.
email_path(
    DELIVER_COURSES,
    template="learning/course_news",
    title=_("sending you the news of a course you take"),
    where="coursekeeper.learning.news.send_course_news",
)
email_path(
    FREE_MATERIAL,
    template="learning/material",
    title=_("sending free material you ask for"),
    where="coursekeeper.learning.services.request_free_material",
)
