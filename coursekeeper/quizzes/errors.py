"""The quizzes app's one exception type: a refusal the view turns into a 4xx; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "quiz_not_found": _("This quiz does not exist."),
    "attempt_not_found": _("This attempt does not exist."),
    "question_not_found": _("This question does not exist."),
    "not_a_quiz": (404, _("This lesson is not a quiz.")),
    "no_questions": (409, _("This quiz has no questions yet.")),
    "no_attempts_left": (
        403,
        _("You have used all your attempts at this quiz, so no new attempt was started."),
    ),
    "already_submitted": (409, _("This attempt was already submitted; nothing was changed.")),
    "too_late": (
        409,
        _(
            "The time for this attempt ran out before your answers arrived, so they were not "
            "accepted. The attempt is closed; questions without a saved answer score nothing."
        ),
    ),
    "bad_answer": _("One of the answers could not be understood. Nothing was saved."),
    "not_your_course": (403, _("Only the course's instructor may change it.")),
    "quiz_restricted": (
        403,
        _(
            "You restricted the processing of your data, so quiz attempts cannot be recorded "
            "while the restriction lasts. Nothing was saved."
        ),
    ),
    "processing_refused": (
        403,
        _("We may not process your data for this right now, so nothing was saved."),
    ),
}


class QuizError(Refusal):
    messages = MESSAGES
