"""What the newsletter app holds about people, and the two purposes it serves (R17, R18).

`newsletter` rests on consent, given by double opt-in. `customer_offers` is the narrow exception
for existing customers where their country allows it (see rules.py); it rests on legitimate
interest, so the gate stops it at an objection, which one click in every such email records.
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.jobs.privacy import LEASED_JOB_FIELDS
from coursekeeper.newsletter.models import (
    Newsletter,
    NewsletterDelivery,
    NewsletterDispatch,
    PendingSignup,
)
from coursekeeper.privacy.access.roles import SEND_NEWSLETTERS
from coursekeeper.privacy.declarations import (
    DELETE,
    NOT_PERSONAL,
    AccountOrEmail,
    After,
    Category,
    Event,
    Identifier,
    Nobody,
    Reading,
    WhileAccountExists,
    declare,
)
from coursekeeper.privacy.paths import email_path
from coursekeeper.privacy.purposes import (
    PRIVACY_RIGHTS,
    DataSubjects,
    LegalBasis,
    Purpose,
    register_purpose,
)
from coursekeeper.privacy.service_ends import declare_service_end

NEWSLETTER = register_purpose(
    Purpose(
        "newsletter",
        LegalBasis.CONSENT,
        _("Newsletter"),
        _(
            "To send you our newsletter by email once you subscribed and confirmed it; you can "
            "unsubscribe at any time with one click."
        ),
        data_subjects=(DataSubjects.NEWSLETTER_SUBSCRIBERS,),
    )
)
CUSTOMER_OFFERS = register_purpose(
    Purpose(
        "customer_offers",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Offers to customers"),
        _(
            "To email you, as our customer, offers of our own courses similar to those you "
            "bought, where the law of your country allows it without consent."
        ),
        balancing_note=_(
            "Telling customers about courses like the ones they chose is an interest the law "
            "itself recognises (markedsføringsloven § 10(2), UWG § 7(3)). It is limited to our "
            "own similar courses, you were told at the purchase that you may say no, every "
            "such email says so again with a one-click link, and saying no ends it at once."
        ),
        objectable=True,
        data_subjects=(DataSubjects.BUYERS,),
    )
)

# Staff discontinue the newsletter: every subscription ends, and the sign-ups awaiting
# confirmation (held only on the consent they ask for) go with the next retention sweep (R29).
NEWSLETTER_END = declare_service_end(
    NEWSLETTER,
    title=_("we discontinue the newsletter"),
    where="coursekeeper.newsletter.services.discontinue_newsletter",
    capability=SEND_NEWSLETTERS,
)

declare(
    PendingSignup,
    subject=Identifier("email"),
    purposes=[NEWSLETTER],
    fields={
        "email": Category.CONTACT,
        "language": Category.MARKETING,
        "country": Category.MARKETING,
        "wording_version": Category.MARKETING,
        "token_digest": Category.CREDENTIALS,
        "created_at": Category.MARKETING,
        "expires_at": NOT_PERSONAL.because("when the confirmation link stops working"),
    },
    # The link works for 3 days (services.SIGNUP_VALID_FOR); then the sign-up goes.
    retention=After(Event.LINK_SENT, column="created_at", days=3),
    erasure=DELETE,
    notes="A sign-up not confirmed from the inbox goes when its link expires; a confirmed one "
    "goes at once, and the consent ledger holds the proof.",
)

_STAFF_WORK = "the staff member who did it; their own work"

declare(
    Newsletter,
    subject=Nobody(reason="newsletters written by staff, the same for every reader"),
    fields={
        **{
            f"{part}_{language}": NOT_PERSONAL
            for part in ("subject", "body")
            for language in ("da", "de", "en")
        },
        "status": NOT_PERSONAL,
        "created_by": NOT_PERSONAL.because(_STAFF_WORK),
        "created_at": NOT_PERSONAL,
        "updated_at": NOT_PERSONAL,
        "sent_by": NOT_PERSONAL.because(_STAFF_WORK),
        "sending_started_at": NOT_PERSONAL,
        "sent_at": NOT_PERSONAL,
    },
    retention=WhileAccountExists(),
    erasure=DELETE,
    source="staff",
)
declare(
    NewsletterDispatch,
    subject=Nobody(reason="the progress of sending a newsletter: counts, no addresses"),
    fields={
        **LEASED_JOB_FIELDS,
        "newsletter": NOT_PERSONAL,
        "include_customers": NOT_PERSONAL,
        "own_similar_products_stated": NOT_PERSONAL,
        "objection_at_collection_stated": NOT_PERSONAL,
        "total": NOT_PERSONAL.because("a count"),
        "queued_count": NOT_PERSONAL.because("a count"),
        "skipped_count": NOT_PERSONAL.because("a count"),
    },
    retention=WhileAccountExists(),
    erasure=DELETE,
    source="system",
)
declare(
    NewsletterDelivery,
    subject=AccountOrEmail("user", "email"),
    purposes=[NEWSLETTER, CUSTOMER_OFFERS],
    fields={
        "newsletter": Category.MARKETING,
        "email": Category.CONTACT,
        "user": Category.IDENTITY,
        "basis": Category.MARKETING,
        "language": Category.MARKETING,
        "outbox_message": Category.COMMUNICATION,
        "queued_at": Category.MARKETING,
    },
    retention=After(Event.SENT, column="queued_at", days=30),
    erasure=DELETE,
    source="system",
    notes="Which newsletter went to which address, so a rerun of the sending never sends it "
    "twice; kept 30 days, as long as the outbox keeps the email itself.",
    reading=Reading(references=("newsletter",)),
)


# --- Where the newsletter is sent ----------------------------------------------------------------
# Neither goes on while processing is restricted: a consent given before is not a consent to
# processing despite the restriction, and direct marketing serves no exception of Art. 18(2).

NEWSLETTER_EMAIL = email_path(
    NEWSLETTER,
    template="newsletter/newsletter",
    title=_("sending you the newsletter"),
    where="coursekeeper.newsletter.dispatch.run_dispatch",
)
CUSTOMER_OFFER_EMAIL = email_path(
    CUSTOMER_OFFERS,
    template="newsletter/customer_offer",
    title=_("emailing you offers of courses like those you bought"),
    where="coursekeeper.newsletter.dispatch.run_dispatch",
)
# The confirmation link is how a newsletter consent is proven (double opt-in, Art. 7(1)).
email_path(
    PRIVACY_RIGHTS,
    template="newsletter/confirm",
    title=_("asking you to confirm a newsletter subscription"),
    where="coursekeeper.newsletter.services.sign_up",
)
