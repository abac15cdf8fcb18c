from django.utils.functional import lazystr

from coursekeeper.privacy.access.roles import SEND_NEWSLETTERS
from coursekeeper.privacy.declarations import (
    DELETE,
    HOLD,
    NOT_PERSONAL,
    Account,
    After,
    Anonymise,
    Category,
    Event,
    Generic,
    Hold,
    HoldReason,
    Identifier,
    Participants,
    declare,
)
from coursekeeper.privacy.paths import email_path
from coursekeeper.privacy.purposes import (
    ACCOUNT,
    PLATFORM_OPERATION,
    SERVICE_EMAIL,
    LegalBasis,
    Purpose,
    register_purpose,
)
from coursekeeper.privacy.service_ends import declare_service_end, end_service
from coursekeeper.privacy.tests.shapes.models import (
    AuditNote,
    ContactNote,
    Conversation,
    HeldRecord,
    Preferences,
    StudyGroup,
    Upload,
)

# A purpose a person can switch off by objecting, as analytics or recommendations will be.
SHAPE_RECOMMENDATIONS = register_purpose(
    Purpose(
        "shape_recommendations",
        LegalBasis.LEGITIMATE_INTEREST,
        lazystr("Recommendations (test)"),
        lazystr("Suggest courses from what the person took (test-only purpose)."),
        balancing_note=lazystr("Test only."),
        objectable=True,
    )
)
SHAPE_NEWSLETTER = register_purpose(
    Purpose(
        "shape_newsletter",
        LegalBasis.CONSENT,
        lazystr("Newsletter (test)"),
        lazystr("Test-only purpose."),
    )
)


def end_shape_newsletter(*, acting_user):
    """The staff action that ends the test newsletter, as an app's own service would."""
    return end_service(purpose=SHAPE_NEWSLETTER.code, acting_user=acting_user)


declare_service_end(
    SHAPE_NEWSLETTER,
    title=lazystr("the test newsletter ends"),
    where="coursekeeper.privacy.tests.shapes.privacy.end_shape_newsletter",
    capability=SEND_NEWSLETTERS,
)

declare(
    ContactNote,
    subject=Identifier("email"),
    purposes=[ACCOUNT],
    fields={
        "email": Category.CONTACT,
        "name": Category.IDENTITY,
        "message": Category.COMMUNICATION,
        "last_contact_at": NOT_PERSONAL.because("the moment retention counts from"),
    },
    retention=After(Event.LAST_CONTACT, column="last_contact_at", years=2),
    erasure=DELETE,
)
declare(
    AuditNote,
    subject=Generic("content_type", "object_id"),
    purposes=[PLATFORM_OPERATION],
    fields={
        "content_type": NOT_PERSONAL,
        "object_id": Category.IDENTITY,
        "note": Category.USAGE,
        "created_at": NOT_PERSONAL,
    },
    retention=After(Event.CREATED, column="created_at", years=3),
    erasure=Anonymise({"object_id": "", "note": "former participant"}),
)
declare(
    Conversation,
    subject=Participants(
        ("sender", "recipient"),
        shares={"sender": ("sender_signature",), "recipient": ("recipient_signature",)},
    ),
    purposes=[ACCOUNT],
    fields={
        "sender": Category.IDENTITY,
        "sender_signature": Category.IDENTITY,
        "recipient": Category.IDENTITY,
        "recipient_signature": Category.IDENTITY,
        "topic": Category.COMMUNICATION,
    },
    erasure=Anonymise({}),
)
declare(
    Upload,
    subject=Account("owner"),
    purposes=[ACCOUNT],
    fields={"owner": Category.IDENTITY, "document": Category.CONTENT},
    erasure=DELETE,
)
declare(
    Preferences,
    subject=Account("owner"),
    purposes=[ACCOUNT],
    fields={"owner": Category.IDENTITY, "settings_blob": Category.PROFILE},
    erasure=DELETE,
)
declare(
    StudyGroup,
    subject=Account("members"),
    purposes=[ACCOUNT],
    fields={
        "title": NOT_PERSONAL,
        "members": Category.IDENTITY,
    },
    erasure=Anonymise({}),
    notes="The group stays; the person leaves it through the link table's declaration.",
)
declare(
    StudyGroup.members.through,
    subject=Account("user"),
    purposes=[ACCOUNT],
    fields={"user": Category.IDENTITY, "studygroup": NOT_PERSONAL},
    erasure=DELETE,
)
declare(
    HeldRecord,
    subject=Account("buyer", keeps_row_on_erasure=True),
    purposes=[ACCOUNT],
    fields={
        "buyer": Category.IDENTITY,
        "buyer_name": Category.IDENTITY,
        "amount_cents": Category.PAYMENT,
        "issued_at": Category.PAYMENT,
        "held_until": NOT_PERSONAL.because("the date the legal hold ends"),
    },
    retention=Hold(
        rule="bookkeeping", release_column="held_until", reason=HoldReason.LEGAL_OBLIGATION
    ),
    erasure=HOLD,
)

# Where the test-only purposes are carried out, and the emails the outbox's own tests send.
email_path(
    SHAPE_RECOMMENDATIONS,
    template="tests/recommendations",
    title=lazystr("emailing course suggestions (test)"),
    where="coursekeeper.privacy.tests.shapes.privacy",
)
email_path(
    SHAPE_NEWSLETTER,
    template="tests/newsletter",
    title=lazystr("sending a newsletter (test)"),
    where="coursekeeper.privacy.tests.shapes.privacy",
)
for _template in ("tests/welcome", "tests/kill", "tests/outbox"):
    email_path(
        SERVICE_EMAIL,
        template=_template,
        title=lazystr("sending a test message"),
        where="coursekeeper.messaging.tests.test_outbox",
    )
