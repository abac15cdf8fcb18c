"""The shop's one exception type: a refusal with a translated message; nothing changed.

Each part of the shop adds the codes it raises here, so every refusal a buyer or a member of
staff can meet reads the same way in Danish, German and English.
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.web.refusals import Refusal

MESSAGES = {
    "not_allowed": _("Your role does not allow this."),
    "product_not_found": _("This product is not for sale."),
    "price_not_found": _("This product has no price in that currency."),
    "price_changed": (
        409,
        _(
            "The price changed while you were checking out. Nothing was charged; please look "
            "at the new price and try again."
        ),
    ),
    "coupon_invalid": _("This coupon code is not valid."),
    "coupon_expired": _("This coupon code is no longer valid."),
    "coupon_not_yet_valid": _("This coupon code is not valid yet."),
    "coupon_used_up": _("This coupon code has been used as many times as it may be."),
    "coupon_not_for_product": _("This coupon code does not apply to this product."),
    "order_not_found": _("There is no such order."),
    "order_expired": _(
        "This checkout has expired and nothing was charged. Please start again from the course."
    ),
    "payment_failed": _(
        "The payment did not go through and nothing was charged. You can try again with "
        "another payment method."
    ),
    "payment_pending": _(
        "We have not yet heard from the payment provider. This page updates when we do; you "
        "will also get a receipt by email."
    ),
    "no_payment_provider": _(
        "The shop cannot take payments yet. Nothing was charged; please try again later or "
        "contact the school."
    ),
    "provider_unavailable": (
        503,
        _(
            "The payment provider cannot be reached right now. Nothing was charged; please try "
            "again in a few minutes."
        ),
    ),
    # Invoices and credit notes (the invoices part).
    "shop_not_ready": _(
        "The shop cannot take orders yet because the school's details for invoices are "
        "incomplete. Nothing was charged; please try again later or contact the school."
    ),
    "invoice_seller_incomplete": _(
        "An invoice cannot be issued until the provider's legal name, address and VAT number "
        "are filled in on the provider settings page."
    ),
    "invoice_no_bookkeeping_rule": _(
        "There is no bookkeeping rule for the provider's country, so we cannot tell how long "
        "an invoice must be kept. Nothing was issued."
    ),
    "invoice_order_not_paid": _("An invoice is issued only for a paid order."),
    "invoice_not_found": _("There is no such invoice."),
    "refund_not_completed": _(
        "A credit note is issued only once the refund has gone through at the payment provider."
    ),
    "credit_exceeds_invoice": _(
        "The refund is larger than what is left of the invoice to credit. Nothing was issued."
    ),
    "invoice_format_unavailable": _("This invoice cannot be produced in that format."),
}

# The checkout's own refusals (helper "checkout"): pricing, checkout, seats, gifts.
MESSAGES.update(
    {
        "coupon_wrong_currency": _("This coupon code takes an amount off in another currency."),
        "seats_invalid": _("Choose between 1 and 500 places; a subscription is for one person."),
        "immediate_access_required": _(
            "To buy a recorded course, tick that you want access at once and that you then "
            "lose your right of withdrawal."
        ),
        "adult_confirmation_missing": _("You must be 18 or older to create an account."),
        "guest_details_missing": _("Give your name, email address and a password."),
        "checkout_taken": (
            409,
            _(
                "This checkout form was already sent from another browser. Please reload the "
                "page and try again."
            ),
        ),
        # The same answer as for an order that does not exist: it tells nobody which do.
        "not_your_order": (404, _("This is not your order.")),
        "seats_not_for_others": _("This order was not bought for other people."),
        "seats_used_up": _("Every place bought with this order has been offered."),
        "seat_already_invited": _("This address has already been invited to this order."),
        "seat_order_not_paid": _("Places can be offered once the order is paid."),
        "seat_invitation_invalid": _("This invitation link is not valid or was already used."),
        "seat_invitee_refused": _(
            "We may not invite this address: the person has asked us not to use their data "
            "for this. Nothing was sent."
        ),
        "processing_restricted": _(
            "You restricted the processing of your data, so you cannot buy while the "
            "restriction lasts. Nothing was charged or saved."
        ),
        "processing_refused": _(
            "We may not process your data for this right now. Nothing was charged or saved."
        ),
    }
)


class CommerceError(Refusal):
    messages = MESSAGES


# The built-in test provider's hosted page (helper "providers").
MESSAGES.update(
    {
        "sandbox_already_paid": (
            409,
            _("This test checkout is already paid. Nothing was changed."),
        ),
        "sandbox_expired": (
            409,
            _(
                "This test checkout has expired or was abandoned. Nothing was charged; please "
                "start again from the course."
            ),
        ),
        "sandbox_unknown_card": _("Please choose one of the test cards."),
        "sandbox_declined": _(
            "The test card was declined and nothing was charged. Choose another test card to try "
            "again, or cancel."
        ),
    }
)

# After the sale: refunds, withdrawal, subscriptions (helper "aftersale").
MESSAGES.update(
    {
        "order_not_refundable": _("Only a paid order can be refunded."),
        "refund_amount_invalid": _("Enter an amount greater than zero."),
        "refund_too_much": _("That is more than what is left to refund on this order."),
        "refund_failed": _(
            "The payment provider refused the refund. Nothing was refunded; see the provider's "
            "dashboard for the reason."
        ),
        "withdrawal_not_paid": _("Only a paid order can be withdrawn from."),
        "already_withdrawn": _("You have already withdrawn from this contract."),
        "withdrawal_period_over": _(
            "The 14-day withdrawal period for this order ended on %(ends_on)s. Please contact "
            "us if something is wrong with what you bought."
        ),
        "withdrawal_waived": _(
            "You cannot withdraw from this order: on %(given_on)s you asked for access to the "
            "digital content at once and agreed that you thereby lose your right of withdrawal "
            "(your receipt has a copy of that agreement)."
        ),
        "withdrawal_event_over": _(
            "You cannot withdraw from this order: the event ended on %(event_on)s, so the "
            "service has been fully performed."
        ),
        "subscription_not_found": _("There is no such subscription."),
        "cancel_link_invalid": _(
            "This cancellation link is not valid or has expired. Nothing was cancelled; you can "
            "ask for a new link on the cancellation page."
        ),
    }
)

# VAT: the One-Stop-Shop threshold and its option (commerce.oss).
MESSAGES.update(
    {
        "destination_vat_binding": _(
            "The choice of the buyer's country's VAT binds the shop for two calendar years "
            "(VAT Directive Art. 59c(3)); it can be ended from %(until)s. Nothing was changed."
        ),
    }
)


class DetailedCommerceError(CommerceError):
    """A refusal whose message names facts of the case (a date), filled in when it is read."""
