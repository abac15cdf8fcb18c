"""The certificates app's one exception type: a refusal the view turns into a 4xx."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "certificate_not_found": _("You have no certificate for this course."),
    "course_not_found": _("This course does not exist."),
    "not_your_course": (403, _("Only the course's instructor may change its certificates.")),
    "reason_missing": _("Say why the certificate is revoked."),
    "already_revoked": _("This certificate is already revoked."),
    "certificate_revoked": (
        403,
        _("This certificate was revoked, so it can no longer be downloaded."),
    ),
    "duty_incomplete": _(
        "Name the law or professional duty and the number of years the record must be kept."
    ),
    "processing_refused": (
        403,
        _("We may not process your data for this right now, so nothing was changed."),
    ),
}


class CertificateError(Refusal):
    messages = MESSAGES
