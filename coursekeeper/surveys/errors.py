"""The surveys app's one exception type: a refusal the view turns into a 4xx; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "survey_not_found": (404, _("This survey does not exist.")),
    "question_not_found": (404, _("This question does not exist.")),
    "already_answered": (
        409,
        _("You have already answered this survey. Your answers stay as you gave them."),
    ),
    "answer_required": _("Please answer this question."),
    "bad_answer": _("This answer is not one of the choices."),
    "survey_has_answers": (
        409,
        _("Learners have already answered this survey, so its questions can no longer change."),
    ),
    "needs_options": _("Give at least two choices, one per line."),
    "not_your_course": (403, _("Only the course's instructor may change it.")),
    "answers_restricted": (
        403,
        _(
            "You restricted or objected to the processing of your data, so we cannot keep your "
            "answers to this named survey. Nothing was saved."
        ),
    ),
    "processing_refused": (
        403,
        _("We may not process your data for this right now, so nothing was saved."),
    ),
}


class SurveyError(Refusal):
    messages = MESSAGES
