"""The learning app's one exception type: a refusal the view turns into a 4xx; nothing changed."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "course_not_found": (404, _("This course does not exist or is not published.")),
    "lesson_not_found": (404, _("This lesson does not exist.")),
    "not_enrolled": (403, _("Enrol in the course to open its lessons.")),
    "not_released": (403, _("This lesson has not opened yet.")),
    "access_ended": (
        403,
        _("Your access to this course has ended. Renew or buy it again to open its lessons."),
    ),
    "bad_position": (400, _("That position is outside the video.")),
    "bad_request": (400, _("The request could not be understood.")),
    "not_your_course": (403, _("Only the course's instructor may change it.")),
    "no_file": (404, _("This lesson has no file.")),
    "link_expired": (404, _("This download link is no longer valid.")),
    "course_for_sale": (403, _("This course is for sale. Buy it to enrol.")),
    "progress_restricted": (
        403,
        _(
            "You restricted the processing of your data, so your progress is not saved while "
            "the restriction lasts. You can still watch the lesson."
        ),
    ),
    "material_restricted": (
        403,
        _(
            "You restricted the processing of your data, so we cannot send you material while "
            "the restriction lasts. Nothing was saved."
        ),
    ),
    "news_link_invalid": (
        404,
        _("This link is not valid. You can switch the course's news off on the course page."),
    ),
    "processing_refused": (
        403,
        _("We may not process your data for this right now, so nothing was saved."),
    ),
}


class LearningError(Refusal):
    messages = MESSAGES
