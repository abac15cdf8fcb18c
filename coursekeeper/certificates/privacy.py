"""What the certificates app holds about people (R9), and where it processes it.

A certificate is the learner's: it serves the course they took (`deliver_courses`, the
contract) and goes with them when they are erased, so its code then answers "not found". A
course whose settings say that a law or a professional duty requires its participation to be
documented also keeps a `ParticipationRecord`, the minimum that duty asks for, under its own
purpose with a legal obligation as its basis: that record is held through an erasure until
the period the course names has run out, then the sweep deletes it. The law and the period are
the provider's, per course, so the hold names its law per record (`Hold.law_column`); the erase
page and the answer to an erasure list each law with the day its records go.
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.certificates.models import Certificate, CertificateSettings, ParticipationRecord
from coursekeeper.learning.privacy import DELIVER_COURSES
from coursekeeper.privacy.declarations import (
    DELETE,
    HOLD,
    NOT_PERSONAL,
    Account,
    Category,
    Hold,
    HoldReason,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import processing_path
from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose

DOCUMENTED_PARTICIPATION = register_purpose(
    Purpose(
        "documented_participation",
        LegalBasis.LEGAL_OBLIGATION,
        _("Documented participation"),
        _(
            "To keep a record that you took part in a course that a law or a professional duty "
            "requires us to document -- your name, the course, when you completed it and its "
            "hours -- for the years that law or duty sets, also after your account is deleted, "
            "and to confirm the certificate's code during that time."
        ),
        data_subjects=(DataSubjects.LEARNERS,),
    )
)

declare_not_personal(CertificateSettings, reason="whether and how a course gives certificates")
declare(
    Certificate,
    subject=Account("learner"),
    purposes=[DELIVER_COURSES],
    fields={
        "learner": Category.IDENTITY,
        "course": Category.USAGE,
        "code": Category.TECHNICAL,
        "issued_at": Category.USAGE,
        "learner_name": Category.IDENTITY,
        "course_title": Category.USAGE,
        "hours": Category.USAGE,
        "language": Category.PROFILE,
        "revoked_at": Category.USAGE,
        "revoke_reason": Category.USAGE,
        "revoked_by": NOT_PERSONAL.because("the instructor who revoked it; their own work"),
    },
    erasure=DELETE,
    source="use",
    notes="Goes with the learner; its code then answers that no certificate can be confirmed.",
    reading=Reading(references=("course_title", "code")),
)
declare(
    ParticipationRecord,
    subject=Account("learner", keeps_row_on_erasure=True),
    purposes=[DOCUMENTED_PARTICIPATION],
    fields={
        "learner": Category.IDENTITY,
        "course": Category.USAGE,
        "learner_name": Category.IDENTITY,
        "course_title": Category.USAGE,
        "completed_at": Category.USAGE,
        "hours": Category.USAGE,
        "duty": NOT_PERSONAL.because("the law or duty the record is kept under"),
        "keep_until": NOT_PERSONAL.because("the day the record may be deleted"),
        "code_digest": Category.TECHNICAL,
        "revoked_at": Category.USAGE,
    },
    retention=Hold(
        rule="documented_participation",
        release_column="keep_until",
        reason=HoldReason.LEGAL_OBLIGATION,
        law_column="duty",
    ),
    erasure=HOLD,
    source="use",
    notes="Kept through an erasure for the years the course's law or duty names, then swept.",
    reading=Reading(references=("course_title", "duty")),
)


# --- Where certificates are processed ------------------------------------------------------------

ISSUE_CERTIFICATE = processing_path(
    DELIVER_COURSES,
    name="certificates.issue",
    title=_("issuing your certificate when you complete a course"),
    where="coursekeeper.certificates.services.issue_certificate",
    rehearsal="coursekeeper.certificates.factories.rehearse_issue_certificate",
)
SHOW_CERTIFICATE = processing_path(
    DELIVER_COURSES,
    name="certificates.download",
    title=_("making your certificate for you to download"),
    where="coursekeeper.certificates.selectors.certificate_document",
    rehearsal="coursekeeper.certificates.factories.rehearse_show_certificate",
    # The learner asks for their own certificate, each time; nothing is recorded and only they
    # receive it, so the request itself is the consent Art. 18(2) allows for.
    exception=DespiteRestriction.CONSENT,
)
VERIFY_CERTIFICATE = processing_path(
    DELIVER_COURSES,
    name="certificates.verify",
    title=_("confirming your certificate to whoever checks its code"),
    where="coursekeeper.certificates.selectors.verify_code",
    rehearsal="coursekeeper.certificates.factories.rehearse_verify_certificate",
)
REVOKE_CERTIFICATE = processing_path(
    DELIVER_COURSES,
    name="certificates.revoke",
    title=_("revoking a certificate that was issued in error"),
    where="coursekeeper.certificates.services.revoke_certificate",
    rehearsal="coursekeeper.certificates.factories.rehearse_revoke_certificate",
    # A certificate that no longer holds would go on misleading whoever relies on it (an
    # employer, a professional body) if a restriction kept it valid.
    exception=DespiteRestriction.OTHER_PERSON,
)
DOCUMENT_PARTICIPATION = processing_path(
    DOCUMENTED_PARTICIPATION,
    name="certificates.document_participation",
    title=_("keeping the record of your participation that a law or duty requires"),
    where="coursekeeper.certificates.services.document_participation",
    rehearsal="coursekeeper.certificates.factories.rehearse_document_participation",
)
CONFIRM_PARTICIPATION = processing_path(
    DOCUMENTED_PARTICIPATION,
    name="certificates.confirm_participation",
    title=_("confirming a documented participation to whoever checks its code"),
    where="coursekeeper.certificates.selectors.verify_code",
    rehearsal="coursekeeper.certificates.factories.rehearse_confirm_participation",
)
