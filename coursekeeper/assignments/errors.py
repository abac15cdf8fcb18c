"""The hand-in app's one exception type: a refusal the view turns into a 4xx; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "lesson_not_found": (404, _("This exercise does not exist.")),
    "submission_not_found": (404, _("This hand-in does not exist.")),
    "not_a_handin": (400, _("This lesson is not an exercise to hand in.")),
    "empty": _("Write an answer or choose a file to hand in."),
    "waiting": (
        409,
        _("Your last hand-in is waiting for review. You can hand in again if it comes back."),
    ),
    "passed": (409, _("This exercise is already passed.")),
    "not_waiting": (409, _("This hand-in has already been reviewed.")),
    "bad_decision": _("Choose whether the exercise is passed or must be redone."),
    "comment_needed": _("Tell the learner what to change when you send an exercise back."),
    "not_your_course": (403, _("Only the course's instructor may review its exercises.")),
    "learner_cannot_continue": (
        409,
        _("The learner's access to this course has ended, so the exercise cannot be passed."),
    ),
    "handin_restricted": (
        403,
        _(
            "You restricted the processing of your data, so nothing can be handed in while "
            "the restriction lasts. Nothing was saved."
        ),
    ),
    "review_restricted": (
        403,
        _(
            "The learner restricted the processing of their data, so the exercise cannot be "
            "reviewed while the restriction lasts. Nothing was saved."
        ),
    ),
    "processing_refused": (
        403,
        _("We may not process this person's data for this right now, so nothing was saved."),
    ),
    "no_file": (404, _("This hand-in has no file.")),
}


class AssignmentError(Refusal):
    messages = MESSAGES
