"""What the quizzes app holds about people (R6): a learner's attempts and answers.

The quiz, its questions and choices are course content. An attempt and its answers are the
learner's own data, kept for delivering the course like their progress, and deleted on erasure.
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.privacy import DELIVER_COURSES
from coursekeeper.privacy.declarations import (
    DELETE,
    Account,
    After,
    Category,
    Event,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.paths import processing_path
from coursekeeper.quizzes.models import Answer, Attempt, Choice, Question, Quiz

declare_not_personal(Quiz, reason="a quiz's rules, course content")
declare_not_personal(Question, reason="a quiz's questions, course content")
declare_not_personal(Choice, reason="the choices a question offers, course content")
declare(
    Attempt,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "learner": Category.IDENTITY,
        "quiz": Category.USAGE,
        "started_at": Category.USAGE,
        "deadline": Category.USAGE,
        "submitted_at": Category.USAGE,
        "question_ids": Category.USAGE,
        "score": Category.USAGE,
        "passed": Category.USAGE,
        "expired": Category.USAGE,
        "updated_at": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="updated_at", years=5),
    erasure=DELETE,
    source="use",
    reading=Reading(
        references=("quiz__lesson__module__course", "quiz"),
        labels={
            "quiz__lesson__module__course": _("course"),
            "question_ids": _("questions drawn (their numbers, in order)"),
        },
    ),
)
declare(
    Answer,
    subject=Account("attempt__learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "attempt": Category.USAGE,
        "question": Category.USAGE,
        "chosen": Category.CONTENT,
        "text": Category.CONTENT,
        "number": Category.CONTENT,
        "is_correct": Category.USAGE,
        "points": Category.USAGE,
        "updated_at": Category.USAGE,
    },
    retention=After(Event.LAST_ACTIVITY, column="updated_at", years=5),
    erasure=DELETE,
    source="person",
    reading=Reading(
        references=("attempt__quiz", "question"),
        labels={"chosen": _("choices picked (their numbers)")},
    ),
)


# --- Where quizzes are taken ----------------------------------------------------------------------
# Starting and submitting an attempt records the learner's answers and score: like saving
# progress, that is what a restriction (Art. 18) pauses, so a restricted learner cannot start or
# submit an attempt, and nothing is written. Reading one's own result back goes on: it changes
# nothing, and the learner asks for it (the lesson page itself asks `learning.show_lesson`).

TAKE_QUIZ = processing_path(
    DELIVER_COURSES,
    name="quizzes.take_quiz",
    title=_("recording your quiz attempts, answers and scores"),
    where=(
        "coursekeeper.quizzes.services.start_attempt",
        "coursekeeper.quizzes.services.submit_attempt",
    ),
    rehearsal="coursekeeper.quizzes.factories.rehearse_take_quiz",
)
