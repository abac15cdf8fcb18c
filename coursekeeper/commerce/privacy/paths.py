"""Where the shop's purposes are carried out (its processing and email paths), and what an
erasure does at the payment provider."""

from django.utils.translation import gettext_lazy as _

from coursekeeper.commerce.erasure import cancel_running_subscriptions
from coursekeeper.commerce.models import Subscription
from coursekeeper.commerce.privacy.purposes import (
    BOOKKEEPING,
    GIFT_SHIPPING,
    LEGAL_CLAIMS,
    SALES,
    SEAT_INVITATIONS,
)
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.participants import erasure_participant
from coursekeeper.privacy.paths import email_path, processing_path
from coursekeeper.privacy.purposes import SERVICE_EMAIL

# --- Where the shop's purposes are carried out ---------------------------------------------------

START_CHECKOUT = processing_path(
    SALES,
    name="commerce.start_checkout",
    title=_("taking a new order"),
    where="coursekeeper.commerce.checkout.start_checkout",
    rehearsal="coursekeeper.commerce.factories.rehearse_start_checkout",
)
ISSUE_INVOICE = processing_path(
    BOOKKEEPING,
    name="commerce.issue_invoice",
    title=_("issuing and keeping the invoice of a payment"),
    where="coursekeeper.commerce.invoices.issue_invoice",
    rehearsal="coursekeeper.commerce.factories.rehearse_issue_invoice",
)
RECORD_WAIVER = processing_path(
    LEGAL_CLAIMS,
    name="commerce.record_waiver",
    title=_("recording that you asked for access at once"),
    where="coursekeeper.commerce.checkout.record_waiver",
    rehearsal="coursekeeper.commerce.factories.rehearse_record_waiver",
    # The record is the proof, should you claim a refund later, that you asked for immediate
    # access and knew what it meant for your right of withdrawal: it serves legal claims only.
    exception=DespiteRestriction.LEGAL_CLAIMS,
)
SHIP_GIFT = processing_path(
    GIFT_SHIPPING,
    name="commerce.ship_gift",
    title=_("passing your address to the supplier of a welcome gift"),
    where="coursekeeper.commerce.gifts.record_gift_shipment",
    rehearsal="coursekeeper.commerce.factories.rehearse_ship_gift",
)
INVITE_TO_SEAT = processing_path(
    SEAT_INVITATIONS,
    name="commerce.invite_to_seat",
    title=_("inviting you to a place your employer bought"),
    where="coursekeeper.commerce.seats.invite_to_seat",
    rehearsal="coursekeeper.commerce.factories.rehearse_invite_to_seat",
)
email_path(
    SEAT_INVITATIONS,
    template="commerce/seat_invitation",
    title=_("inviting you to a place your employer bought"),
    where="coursekeeper.commerce.seats.invite_to_seat",
)
email_path(
    GIFT_SHIPPING,
    template="commerce/gift_shipment",
    title=_("passing your address to the supplier of a welcome gift"),
    where="coursekeeper.commerce.gifts.record_gift_shipment",
)

# The shop's service emails. The receipt carries the invoice the VAT law says the buyer gets
# (Directive 2006/112/EC, Art. 220) and the confirmation of the contract on a durable medium
# consumer law requires (Directive 2011/83/EU, Art. 8(7)); a withdrawal made online must be
# acknowledged on a durable medium (Art. 11(3)); a subscription's termination must be
# confirmed, and the public cancellation page must work (§ 312k BGB) -- those go to every
# subscriber alike. So these go on while processing is restricted. A refund notice and a
# reminder that a card expires rest on the contract only, and stop.
for _template, _title, _where, _exception in (
    (
        "commerce/receipt",
        _("sending the receipt and invoice of a payment"),
        "coursekeeper.commerce.checkout.fulfil_checkout",
        DespiteRestriction.LEGAL_OBLIGATION,
    ),
    (
        "commerce/withdrawal",
        _("confirming a withdrawal from a purchase"),
        "coursekeeper.commerce.refunds.withdraw_order",
        DespiteRestriction.LEGAL_OBLIGATION,
    ),
    (
        "commerce/cancellation",
        _("confirming that a subscription was cancelled"),
        "coursekeeper.commerce.subscriptions.cancel_subscription",
        DespiteRestriction.LEGAL_OBLIGATION,
    ),
    (
        "commerce/cancellation_request",
        _("sending the links of the public cancellation page"),
        "coursekeeper.commerce.cancellation.request_cancellation",
        DespiteRestriction.LEGAL_OBLIGATION,
    ),
    (
        "commerce/refund",
        _("telling you that a payment was refunded"),
        "coursekeeper.commerce.refunds.refund_order",
        None,
    ),
    (
        "commerce/card_expiry",
        _("reminding you that the card of a subscription expires"),
        "coursekeeper.commerce.subscriptions.remind_expiring_cards",
        None,
    ),
):
    email_path(SERVICE_EMAIL, template=_template, title=_title, where=_where, exception=_exception)

# --- What an erasure does at the payment provider (commerce/erasure.py) -------------------------
# Before the person's rows go: a subscription left running would go on charging the card.

erasure_participant(
    "commerce.cancel_subscriptions",
    before=cancel_running_subscriptions,
    models=[Subscription],
    does=_(
        "any running subscription is cancelled at the payment provider, so nothing more is charged"
    ),
)
