"""What the hand-in app holds about people (R4, R5, R18).

A hand-in is the learner's: their answer, their file and the verdict on it. The instructor who
reviewed it is named by their account, which is the instructor's own data and their work, not
the learner's; it goes (SET_NULL) with the instructor's account. The file is stored like lesson
media and goes with the row: erasure and the retention sweep delete the stored file with it
(`privacy.walks.delete_rows`).
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.assignments.models import Submission
from coursekeeper.learning.privacy import DELIVER_COURSES
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    After,
    Category,
    Event,
    Reading,
    declare,
)
from coursekeeper.privacy.paths import email_path, processing_path

declare(
    Submission,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "learner": Category.IDENTITY,
        "lesson": Category.USAGE,
        "text": Category.CONTENT,
        "file": Category.CONTENT,
        "file_type": Category.CONTENT,
        "file_size": Category.CONTENT,
        "submitted_at": Category.USAGE,
        "status": Category.USAGE,
        "reviewed_at": Category.USAGE,
        "reviewer": NOT_PERSONAL.because("the instructor who reviewed it; their work"),
        "comment": Category.CONTENT,
        "updated_at": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="updated_at", years=5),
    erasure=DELETE,
    source="use",
    reading=Reading(
        references=("lesson__module__course", "lesson"),
        labels={"lesson__module__course": _("course")},
    ),
)


# --- Where hand-ins are processed ----------------------------------------------------------------
# Handing in writes the learner's answer and file, and a review writes a verdict about them and
# tells the instructor's decision to the learner: both change what is held, which is what a
# restriction (Art. 18) is for, and no exception of Art. 18(2) covers them. So both stop.

HAND_IN = processing_path(
    DELIVER_COURSES,
    name="assignments.hand_in",
    title=_("keeping the exercises you hand in"),
    where="coursekeeper.assignments.services.hand_in",
    rehearsal="coursekeeper.assignments.factories.rehearse_hand_in",
)
REVIEW_HANDIN = processing_path(
    DELIVER_COURSES,
    name="assignments.review_handin",
    title=_("giving you your instructor's review of an exercise"),
    where="coursekeeper.assignments.services.review_submission",
    rehearsal="coursekeeper.assignments.factories.rehearse_review_handin",
)
email_path(
    DELIVER_COURSES,
    template="assignments/reviewed",
    title=_("telling you that an exercise you handed in was reviewed"),
    where="coursekeeper.assignments.services.review_submission",
)
