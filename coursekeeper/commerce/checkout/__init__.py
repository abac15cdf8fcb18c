"""Checkout: from the form to the provider's hosted page and back, and the fulfilment (R11-R16).

Where each part lives (the names other modules use are importable from here):
- `start`: `start_checkout` and what the form gives it (`BillingDetails`, `GuestSignup`): the
  re-quote, the order, the waiting sign-up and the provider's hosted checkout, once per order;
- `fulfilment`: `fulfil_checkout` (paid: account, enrolment, waiver, invoice, VAT evidence, gift,
  subscription and receipt in one transaction, once) and `fail_checkout`;
- `waiver`: the words the buyer agrees to for an immediate start, shown on the form, recorded by
  `record_waiver` and confirmed in the receipt (R15);
- `buyer_return`: `complete_return`, the buyer's return from the provider, which fulfils when the
  webhook has not yet and signs in only the browser that started the checkout.

Nothing here trusts what a redirect or a webhook says: the state is always re-fetched from the
provider.
"""

from coursekeeper.commerce.checkout.buyer_return import ReturnOutcome, complete_return
from coursekeeper.commerce.checkout.fulfilment import fail_checkout, fulfil_checkout
from coursekeeper.commerce.checkout.start import (
    DIGITAL_CONTENT_KINDS,
    BillingDetails,
    GuestSignup,
    start_checkout,
)
from coursekeeper.commerce.checkout.waiver import (
    early_start_wording,
    immediate_access_wording,
    record_waiver,
    waiver_acknowledgement_wording,
    waiver_kind,
    waiver_wording,
)

__all__ = [
    "DIGITAL_CONTENT_KINDS",
    "BillingDetails",
    "GuestSignup",
    "ReturnOutcome",
    "complete_return",
    "early_start_wording",
    "fail_checkout",
    "fulfil_checkout",
    "immediate_access_wording",
    "record_waiver",
    "start_checkout",
    "waiver_acknowledgement_wording",
    "waiver_kind",
    "waiver_wording",
]
