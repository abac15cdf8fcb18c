"""What the surveys app holds about people (R6, R44).

Named answers are the learner's data, for a purpose of their own: course feedback, on a
legitimate interest. Why not the contract: answering a survey is not needed to take a course,
the learner chooses to answer, and the school's interest in improving its courses (which serves
the learners too) is what the answers are for. The learner can object, and then their named
answers are no longer taken (an anonymous survey is unaffected: it takes nothing about them).

Anonymous answers hold nothing about anyone: no account, no time, no sequence (see
`surveys.services`). The purpose's description says so, so the privacy policy, rendered from
the purposes, says it too.
"""

from typing import cast

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    Account,
    After,
    Category,
    Event,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.paths import processing_path
from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose
from coursekeeper.surveys.models import (
    AnonymousAnswer,
    AnonymousResponse,
    NamedAnswer,
    NamedResponse,
    Survey,
    SurveyOption,
    SurveyQuestion,
)

# The sentence the policy and the notice beside an anonymous survey share.
ANONYMOUS_NO_LINK = _(
    "Anonymous surveys store no link to the person who answered: no account, no time and no "
    "trace in our logs; we only note that you answered, so you are not asked twice."
)

COURSE_FEEDBACK = register_purpose(
    Purpose(
        "course_feedback",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Course feedback"),
        cast(
            Promise,
            format_lazy(
                "{} {}",
                _(
                    "To learn from your answers to a course's named surveys how the course can be "
                    "improved; the instructor sees them under a pseudonym."
                ),
                ANONYMOUS_NO_LINK,
            ),
        ),
        balancing_note=_(
            "You choose whether to answer; the instructor never sees your name, only a "
            "pseudonym, and figures about small groups are hidden. Better courses are in your "
            "interest too."
        ),
        objectable=True,
        data_subjects=(DataSubjects.LEARNERS,),
    )
)

ANONYMOUS_REASON = "anonymous answers, stored with no link to anyone"

declare_not_personal(Survey, reason="a survey's settings: course content")
declare_not_personal(SurveyQuestion, reason="a survey's questions: course content")
declare_not_personal(SurveyOption, reason="the choices of a survey's questions: course content")
declare_not_personal(AnonymousResponse, reason=ANONYMOUS_REASON)
declare_not_personal(AnonymousAnswer, reason=ANONYMOUS_REASON)

NAMED_RETENTION = After(Event.CREATED, column="submitted_at", years=2)

declare(
    NamedResponse,
    subject=Account("learner"),
    purposes=[COURSE_FEEDBACK],
    fields={
        "learner": Category.IDENTITY,
        "survey": Category.USAGE,
        "submitted_at": Category.USAGE,
    },
    retention=NAMED_RETENTION,
    erasure=DELETE,
    source="person",
    reading=Reading(
        references=("survey__lesson__module__course", "survey__lesson"),
        labels={"survey__lesson__module__course": _("course"), "survey__lesson": _("lesson")},
    ),
)
declare(
    NamedAnswer,
    subject=Account("response__learner"),
    purposes=[COURSE_FEEDBACK],
    fields={
        "response": Category.USAGE,
        "question": NOT_PERSONAL.because("which question was answered"),
        "option": Category.CONTENT,
        "scale": Category.CONTENT,
        "text": Category.CONTENT,
    },
    retention=After(Event.CREATED, column="response__submitted_at", years=2),
    erasure=DELETE,
    source="person",
    reading=Reading(references=("question",)),
)


# --- Where the feedback is taken -----------------------------------------------------------------
# A named answer is processing of the learner's data for course feedback: a restriction stops
# it (none of the exceptions of Art. 18(2) covers an opinion given for improving a course), and
# so does an objection. An anonymous answer is not about anyone and asks no gate of its own;
# what is recorded about the learner is only that they answered (the lesson marked done), and
# that asks the gate of `learning.mark_lesson_done`, so a restricted learner is refused before
# anything is stored.

SAVE_NAMED_ANSWERS = processing_path(
    COURSE_FEEDBACK,
    name="surveys.save_named_answers",
    title=_("keeping your answers to a named survey"),
    where="coursekeeper.surveys.services.answer_survey",
    rehearsal="coursekeeper.surveys.factories.rehearse_save_named_answers",
)
