"""What the shop holds about people (R11-R16): orders, invoices under legal hold, subscriptions.

One declaration per shop model, and when a customer relationship ends (R20) as the shop sees it.
"""

import datetime as dt

from django.utils.functional import lazy
from django.utils.translation import ngettext

from coursekeeper.commerce.models import (
    Coupon,
    GiftShipment,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    OrderLine,
    PendingCheckout,
    Price,
    Product,
    Refund,
    SandboxCheckout,
    SandboxEvent,
    SandboxSubscription,
    SeatInvitation,
    ShopSettings,
    Subscription,
    VatEvidence,
    VatRate,
    WebhookEvent,
    WithdrawalWaiver,
)
from coursekeeper.commerce.privacy.purposes import (
    BOOKKEEPING,
    GIFT_SHIPPING,
    LEGAL_CLAIMS,
    SALES,
    SEAT_INVITATIONS,
)
from coursekeeper.learning.models import Enrollment
from coursekeeper.privacy.declarations import (
    DELETE,
    HOLD,
    NOT_PERSONAL,
    Account,
    AccountOrEmail,
    After,
    AfterRelationshipEnds,
    Category,
    Event,
    Hold,
    HoldReason,
    Identifier,
    Reading,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.relationship.selectors import Moment, relationship_lasts_until

# R20: when a customer relationship ends. Besides the last sign-in (privacy.relationship), it
# lasts until the last purchase, the end of the last paid subscription period and the end of
# paid access to a course, whichever is latest.
relationship_lasts_until(
    Moment(Order, account="buyer", column="paid_at"),
    Moment(Subscription, account="user", column="current_period_end"),
    Moment(Enrollment, account="learner", column="access_until"),
)

ABANDONED_ORDER_KEPT_FOR = dt.timedelta(days=30)


def _abandoned_order_text() -> str:
    days = ABANDONED_ORDER_KEPT_FOR.days
    return ngettext(
        "an order never paid: %(count)d day after it was started",
        "an order never paid: %(count)d days after it was started",
        days,
    ) % {"count": days}


# Rendered in the reader's language each time the policy or a notice is shown.
_ABANDONED = lazy(_abandoned_order_text, str)()
# A sale goes with its buyer's account, the rule pack's period after the relationship ends; an
# order never paid, or paid without an account, goes on its own day (`keep_until`).
ORDER_RETENTION = AfterRelationshipEnds(
    dated=After(Event.EXPIRED, column="keep_until", days=0, explanation=_ABANDONED)
)
_ORDER_PERSON = AccountOrEmail("order__buyer", "order__email")
_AFTER_ORDER = AfterRelationshipEnds(
    dated=After(Event.EXPIRED, column="order__keep_until", days=0, explanation=_ABANDONED)
)


def _in(currency: str, *amounts: str) -> dict[str, str]:
    """Return the `Reading.money` entries of amounts whose currency is at `currency`."""
    return dict.fromkeys(amounts, currency)


declare_not_personal(ShopSettings, reason="the shop's settings")
declare_not_personal(VatRate, reason="countries' VAT rates")
declare_not_personal(Product, reason="what is for sale")
declare_not_personal(Product.courses.through, reason="which courses a product gives access to")
declare_not_personal(Price, reason="prices")
declare_not_personal(Coupon, reason="coupon codes and their limits")
declare_not_personal(Coupon.products.through, reason="which products a coupon applies to")
declare_not_personal(InvoiceCounter, reason="the last invoice number used each year")
declare_not_personal(WebhookEvent, reason="which provider events were processed, by id")
declare_not_personal(
    InvoiceLine, reason="what an invoice sold and for how much; the buyer is on the invoice"
)
declare_not_personal(
    SandboxSubscription, reason="the test provider's renewal state; the buyer is on its checkout"
)
declare_not_personal(SandboxEvent, reason="the test provider's events, by id")

declare(
    Order,
    subject=AccountOrEmail("buyer", "email"),
    purposes=[SALES],
    fields={
        "public_id": NOT_PERSONAL.because("a random reference to the order"),
        "status": Category.PAYMENT,
        "buyer": Category.IDENTITY,
        "email": Category.CONTACT,
        "full_name": Category.IDENTITY,
        "company_name": Category.IDENTITY,
        "vat_number": Category.IDENTITY,
        "street_address": Category.CONTACT,
        "postal_code": Category.CONTACT,
        "city": Category.CONTACT,
        "country": Category.CONTACT,
        "phone": Category.CONTACT,
        "language": Category.PROFILE,
        "seats": Category.PAYMENT,
        "for_others": Category.PAYMENT,
        "coupon": Category.PAYMENT,
        "currency": Category.PAYMENT,
        "subtotal_minor": Category.PAYMENT,
        "discount_minor": Category.PAYMENT,
        "vat_minor": Category.PAYMENT,
        "total_minor": Category.PAYMENT,
        "vat_rate": Category.PAYMENT,
        "vat_country": Category.PAYMENT,
        "vat_scheme": Category.PAYMENT,
        "provider": Category.PAYMENT,
        "provider_session_id": Category.PAYMENT,
        "provider_payment_ref": Category.PAYMENT,
        "card_last4": Category.PAYMENT,
        "card_exp_month": Category.PAYMENT,
        "card_exp_year": Category.PAYMENT,
        "immediate_start_requested_at": Category.PAYMENT,
        "created_at": Category.PAYMENT,
        "expires_at": Category.PAYMENT,
        "paid_at": Category.PAYMENT,
        "withdrawn_at": Category.PAYMENT,
        "keep_until": NOT_PERSONAL.because(
            "the day an order never paid, or paid without an account, is deleted"
        ),
        "provider_checkout_url": NOT_PERSONAL.because("the provider's payment page"),
        "browser_digest": Category.TECHNICAL,
    },
    retention=ORDER_RETENTION,
    erasure=DELETE,
    notes="The invoices copy what the bookkeeping law needs and outlive the order.",
    reading=Reading(
        references=("public_id",),
        money=_in("currency", "subtotal_minor", "discount_minor", "vat_minor", "total_minor"),
    ),
)
declare(
    OrderLine,
    subject=_ORDER_PERSON,
    purposes=[SALES],
    fields={
        "order": Category.PAYMENT,
        "product": Category.PAYMENT,
        "description": Category.PAYMENT,
        "quantity": Category.PAYMENT,
        "unit_net_minor": Category.PAYMENT,
        "net_minor": Category.PAYMENT,
        "vat_minor": Category.PAYMENT,
    },
    retention=_AFTER_ORDER,
    erasure=DELETE,
    reading=Reading(
        references=("order", "product"),
        money=_in("order__currency", "unit_net_minor", "net_minor", "vat_minor"),
    ),
)
declare(
    PendingCheckout,
    subject=Identifier("email"),
    purposes=[SALES],
    fields={
        "order": NOT_PERSONAL.because("the order the sign-up waits for"),
        "email": Category.CONTACT,
        "full_name": Category.IDENTITY,
        "password_hash": Category.CREDENTIALS,
        "language": Category.PROFILE,
        "time_zone": Category.PROFILE,
        "adult_confirmed_at": Category.PROFILE,
        "browser_digest": Category.TECHNICAL,
        "expires_at": NOT_PERSONAL.because("when the waiting sign-up is deleted"),
    },
    retention=After(Event.EXPIRED, column="expires_at", days=0),
    erasure=DELETE,
    notes="Becomes the account when the payment is confirmed; deleted after a day otherwise.",
    reading=Reading(references=("order",)),
)
declare(
    WithdrawalWaiver,
    subject=AccountOrEmail("buyer", "email"),
    purposes=[LEGAL_CLAIMS],
    fields={
        "order": NOT_PERSONAL.because("the order the waiver belongs to"),
        "buyer": Category.IDENTITY,
        "email": Category.CONTACT,
        "kind": Category.PAYMENT,
        "wording": NOT_PERSONAL.because("the published wording the buyer agreed to"),
        "language": Category.PROFILE,
        "given_at": Category.PAYMENT,
        "proof_release_at": NOT_PERSONAL.because("the day the proof is deleted"),
    },
    retention=Hold(
        rule="limitation",
        release_column="proof_release_at",
        reason=HoldReason.LEGAL_CLAIMS,
    ),
    erasure=HOLD,
    reading=Reading(references=("order", "wording")),
)
declare(
    Invoice,
    subject=AccountOrEmail("buyer", "buyer_email"),
    purposes=[BOOKKEEPING],
    fields={
        "seller": NOT_PERSONAL.because("which seller's number series"),
        "year": NOT_PERSONAL.because("the year of the number series"),
        "sequence": NOT_PERSONAL.because("the invoice's sequence number"),
        "number": NOT_PERSONAL.because("the invoice number"),
        "kind": NOT_PERSONAL.because("invoice or credit note"),
        "credit_for": NOT_PERSONAL.because("the invoice a credit note corrects"),
        "credited_number": NOT_PERSONAL.because("the number of the invoice a credit note corrects"),
        "order": NOT_PERSONAL.because("the order invoiced"),
        "buyer": Category.IDENTITY,
        "issued_at": Category.PAYMENT,
        "language": Category.PROFILE,
        "seller_name": NOT_PERSONAL.because("the seller"),
        "seller_address": NOT_PERSONAL.because("the seller's business address"),
        "seller_country": NOT_PERSONAL.because("the seller's country"),
        "seller_vat_number": NOT_PERSONAL.because("the seller's VAT number"),
        "seller_company_number": NOT_PERSONAL.because("the seller's company number"),
        "buyer_name": Category.IDENTITY,
        "buyer_company": Category.IDENTITY,
        "buyer_email": Category.CONTACT,
        "buyer_address": Category.CONTACT,
        "buyer_country": Category.CONTACT,
        "buyer_vat_number": Category.IDENTITY,
        "currency": Category.PAYMENT,
        "net_minor": Category.PAYMENT,
        "vat_minor": Category.PAYMENT,
        "total_minor": Category.PAYMENT,
        "vat_rate": Category.PAYMENT,
        "vat_country": Category.PAYMENT,
        "vat_scheme": Category.PAYMENT,
        "hold_country": NOT_PERSONAL.because("whose bookkeeping law the invoice is kept under"),
        "release_at": NOT_PERSONAL.because("the day the invoice may be deleted"),
    },
    retention=Hold(
        rule="bookkeeping",
        release_column="release_at",
        reason=HoldReason.LEGAL_OBLIGATION,
        country_column="hold_country",
    ),
    erasure=HOLD,
    notes="Kept through an erasure, with the buyer's details copied on, until the law allows.",
    reading=Reading(
        references=("number", "kind", "order", "credited_number"),
        money=_in("currency", "net_minor", "vat_minor", "total_minor"),
    ),
)
declare(
    VatEvidence,
    subject=Account("buyer", keeps_row_on_erasure=True),
    purposes=[BOOKKEEPING],
    fields={
        "order": NOT_PERSONAL.because("the order the evidence is for"),
        "buyer": Category.IDENTITY,
        "invoice_number": Category.PAYMENT,
        "billing_country": Category.PAYMENT,
        "card_country": Category.PAYMENT,
        "ip_country": Category.TECHNICAL,
        "charged_country": Category.PAYMENT,
        "consistent": Category.PAYMENT,
        "recorded_at": Category.PAYMENT,
        "release_at": NOT_PERSONAL.because("the day the evidence may be deleted"),
    },
    retention=Hold(
        rule="oss_records", release_column="release_at", reason=HoldReason.LEGAL_OBLIGATION
    ),
    erasure=HOLD,
    reading=Reading(references=("invoice_number", "order")),
)
declare(
    Refund,
    subject=_ORDER_PERSON,
    purposes=[SALES],
    fields={
        "order": Category.PAYMENT,
        "amount_minor": Category.PAYMENT,
        "reason": Category.PAYMENT,
        "note": Category.PAYMENT,
        "status": Category.PAYMENT,
        "provider_ref": Category.PAYMENT,
        "idempotency_key": NOT_PERSONAL.because("a random key against paying a refund twice"),
        "requested_by": NOT_PERSONAL.because("the member of staff who made the refund"),
        "created_at": Category.PAYMENT,
        "credit_note": NOT_PERSONAL.because("the credit note issued for the refund"),
    },
    retention=_AFTER_ORDER,
    erasure=DELETE,
    reading=Reading(
        references=("order", "credit_note"), money=_in("order__currency", "amount_minor")
    ),
)
declare(
    Subscription,
    subject=Account("user"),
    purposes=[SALES],
    fields={
        "user": Category.IDENTITY,
        "order": Category.PAYMENT,
        "product": Category.PAYMENT,
        "status": Category.PAYMENT,
        "provider": Category.PAYMENT,
        "provider_ref": Category.PAYMENT,
        "current_period_end": Category.PAYMENT,
        "cancelled_at": Category.PAYMENT,
        "card_exp_month": Category.PAYMENT,
        "card_exp_year": Category.PAYMENT,
        "expiry_reminder_for": Category.PAYMENT,
        "created_at": Category.PAYMENT,
    },
    erasure=DELETE,
    retention=AfterRelationshipEnds(),
    reading=Reading(references=("product", "order")),
)
declare(
    SeatInvitation,
    subject=AccountOrEmail("learner", "email"),
    purposes=[SEAT_INVITATIONS],
    fields={
        "order": NOT_PERSONAL.because("the purchase the place comes from"),
        "email": Category.CONTACT,
        "token_digest": Category.CREDENTIALS,
        "invited_at": Category.USAGE,
        "accepted_at": Category.USAGE,
        "learner": Category.IDENTITY,
    },
    retention=_AFTER_ORDER,
    erasure=DELETE,
    source="staff",
    notes="The employer who bought the places gave the address.",
    reading=Reading(references=("order",)),
)
declare(
    GiftShipment,
    subject=_ORDER_PERSON,
    purposes=[GIFT_SHIPPING],
    fields={
        "order": NOT_PERSONAL.because("the order the gift comes with"),
        "supplier": NOT_PERSONAL.because("who ships the gift"),
        "name": Category.IDENTITY,
        "street_address": Category.CONTACT,
        "postal_code": Category.CONTACT,
        "city": Category.CONTACT,
        "country": Category.CONTACT,
        "created_at": Category.USAGE,
        "sent_at": Category.USAGE,
    },
    retention=After(Event.CREATED, column="created_at", days=180),
    erasure=DELETE,
    notes="The supplier's receipt of the address is logged as a disclosure to the person.",
    reading=Reading(references=("order", "supplier")),
)
declare(
    SandboxCheckout,
    subject=Identifier("customer_email"),
    purposes=[SALES],
    fields={
        "session_id": NOT_PERSONAL.because("the test provider's random checkout id"),
        "mode": NOT_PERSONAL.because("one payment or a subscription"),
        "order_ref": NOT_PERSONAL.because("the random reference of our order"),
        "amount_minor": Category.PAYMENT,
        "currency": Category.PAYMENT,
        "description": Category.PAYMENT,
        "customer_email": Category.CONTACT,
        "interval": Category.PAYMENT,
        "success_url": NOT_PERSONAL.because("where the buyer returns to"),
        "cancel_url": NOT_PERSONAL.because("where the buyer returns to"),
        "status": Category.PAYMENT,
        "payment_ref": Category.PAYMENT,
        "subscription_ref": Category.PAYMENT,
        "card_last4": Category.PAYMENT,
        "card_exp_month": Category.PAYMENT,
        "card_exp_year": Category.PAYMENT,
        "card_country": Category.PAYMENT,
        "refunded_minor": Category.PAYMENT,
        "created_at": Category.PAYMENT,
        "expires_at": NOT_PERSONAL.because("when an unpaid test checkout lapses"),
    },
    retention=After(Event.CREATED, column="created_at", years=1),
    erasure=DELETE,
    source="system",
    notes="Only with the built-in test provider: it stands in for a real provider's records.",
    reading=Reading(
        references=("order_ref",), money=_in("currency", "amount_minor", "refunded_minor")
    ),
)
