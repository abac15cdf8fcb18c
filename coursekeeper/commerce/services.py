"""Every write of the shop that a page or a provider causes, named in one place.

The work lives with its concern, each module opening with what is atomic and what a rerun does:
the checkout (`checkout`), refunds and the right of withdrawal (`refunds`), subscriptions
(`subscriptions`) and their cancellation by an emailed link (`cancellation`), places bought for
others (`seats`), the VAT option (`oss`), the providers' reports (`webhooks`) and the built-in
test provider's page (`providers.sandbox`). Views call them through this module, as every app's
writes go through its `services`, so what the shop can be asked to change is read in one place.
"""

from __future__ import annotations

from coursekeeper.commerce.cancellation import (
    CancellationRequest,
    confirm_cancellation,
    request_cancellation,
)
from coursekeeper.commerce.checkout import (
    BillingDetails,
    GuestSignup,
    complete_return,
    start_checkout,
)
from coursekeeper.commerce.oss import choose_destination_vat
from coursekeeper.commerce.providers.sandbox import pay_sandbox_checkout
from coursekeeper.commerce.refunds import refund_order, withdraw_order
from coursekeeper.commerce.seats import accept_seat, invite_to_seat
from coursekeeper.commerce.subscriptions import cancel_subscription
from coursekeeper.commerce.webhooks import handle_webhook

__all__ = [
    "BillingDetails",
    "CancellationRequest",
    "GuestSignup",
    "accept_seat",
    "cancel_subscription",
    "choose_destination_vat",
    "complete_return",
    "confirm_cancellation",
    "handle_webhook",
    "invite_to_seat",
    "pay_sandbox_checkout",
    "refund_order",
    "request_cancellation",
    "start_checkout",
    "withdraw_order",
]
