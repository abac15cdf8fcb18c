"""Why the shop processes personal data: its purposes, each with its legal basis (R11-R16)."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose

SALES = register_purpose(
    Purpose(
        "sales",
        LegalBasis.CONTRACT,
        _("Your purchases"),
        _(
            "To sell you courses, tickets and subscriptions, take payment through our payment "
            "provider, give you what you bought and handle withdrawals and refunds."
        ),
        data_subjects=(DataSubjects.BUYERS,),
    )
)
BOOKKEEPING = register_purpose(
    Purpose(
        "bookkeeping",
        LegalBasis.LEGAL_OBLIGATION,
        _("Bookkeeping and VAT"),
        _(
            "To issue invoices and keep them, and the evidence of where you bought from, for as "
            "long as the bookkeeping and VAT laws require."
        ),
        data_subjects=(DataSubjects.BUYERS,),
    )
)
LEGAL_CLAIMS = register_purpose(
    Purpose(
        "legal_claims",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Proof of what was agreed"),
        _(
            "To be able to show, should a claim arise, that you asked for access to start at "
            "once and what that meant for your right of withdrawal."
        ),
        balancing_note=_(
            "The record holds only what you agreed to and when; it is kept no longer than a "
            "claim could be raised and used for nothing else."
        ),
        compelling_grounds=_(
            "An objection does not switch this off: the record exists only to establish or "
            "defend a legal claim, which the law puts before an objection (GDPR Art. 21(1))."
        ),
        data_subjects=(DataSubjects.BUYERS,),
    )
)
GIFT_SHIPPING = register_purpose(
    Purpose(
        "gift_shipping",
        LegalBasis.CONTRACT,
        _("Welcome gifts"),
        _("To have the welcome gift that comes with a product shipped to you by its supplier."),
        data_subjects=(DataSubjects.BUYERS,),
    )
)
SEAT_INVITATIONS = register_purpose(
    Purpose(
        "seat_invitations",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Places bought by your employer"),
        _(
            "To invite you to a course place your employer bought for you, and to tell them "
            "whether the place was taken."
        ),
        balancing_note=_(
            "Your employer gave us your address to offer you a place they paid for; we use it "
            "only for that invitation and show them only whether you accepted, never your "
            "progress."
        ),
        objectable=True,
        data_subjects=(DataSubjects.INVITED_EMPLOYEES, DataSubjects.BUYERS),
    )
)
