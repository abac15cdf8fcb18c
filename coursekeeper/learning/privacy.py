"""What the learning app holds about people (R4, R5)."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    MaterialRequest,
    Module,
    Topic,
)
from coursekeeper.privacy.declarations import (
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
    },
    retention=After(Event.LAST_ACTIVITY, column="last_activity_at", years=5),
    source="use",
    reading=Reading(references=("course",)),
)
declare(
    LessonProgress,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "learner": Category.IDENTITY,
        "lesson": Category.USAGE,
        "position_seconds": Category.USAGE,
        "completed_at": Category.USAGE,
        "updated_at": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="updated_at", years=5),
    source="use",
    reading=Reading(
        references=("lesson__module__course", "lesson"),
        labels={"lesson__module__course": _("course")},
    ),
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
    reading=Reading(references=("lesson",)),
)
