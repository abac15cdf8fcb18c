"""The buyer's return from the provider's page: fulfil if needed, and whom to sign in (R12).

Design. `complete_return` fulfils when the webhook has not yet, and signs the buyer in only in
the browser that started the checkout (the digest of a random token that browser holds is on
the order, cleared once used) and only when the account was created by this checkout; an
existing account is never signed in this way.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import uuid
from dataclasses import dataclass

from django.utils import timezone

from coursekeeper.accounts.models import User
from coursekeeper.commerce.checkout.fulfilment import OPEN_STATUSES, fulfil_checkout
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order
from coursekeeper.commerce.providers.base import ProviderError
from coursekeeper.security.services import token_digest

logger = logging.getLogger(__name__)

# The return page signs the buyer in only this soon after the payment.
SIGN_IN_ON_RETURN_WITHIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class ReturnOutcome:
    order: Order
    status: str  # the order's status after the return
    sign_in: User | None  # the account to sign this browser into, if any


def complete_return(*, order_public_id, session_id: str, browser_token: str) -> ReturnOutcome:
    """Handle the buyer's return from the provider: fulfil if needed, say whom to sign in.

    Signs in (returns the account) only the browser that started the checkout, only for an
    account this checkout created, only once, and only within a day of the payment. Anyone
    else learns only the order's status.
    """
    try:
        public_id = uuid.UUID(str(order_public_id))
    except ValueError as error:
        raise CommerceError("order_not_found") from error
    order = Order.objects.filter(public_id=public_id).first()
    if order is None or not session_id or session_id != order.provider_session_id:
        raise CommerceError("order_not_found")
    if order.status in OPEN_STATUSES:
        try:
            fulfil_checkout(provider=order.provider, session_id=session_id)
        except ProviderError:
            logger.warning("checkout %s: provider unreachable on return", order.pk)
        order.refresh_from_db()
    sign_in = None
    if (
        order.status == Order.Status.PAID
        and order.buyer_id is not None
        and order.browser_digest
        and browser_token
        and order.paid_at is not None
        and timezone.now() - order.paid_at <= SIGN_IN_ON_RETURN_WITHIN
        and hmac.compare_digest(order.browser_digest, token_digest(browser_token))
    ):
        # Only one return signs in: clearing the digest is the claim.
        claimed = Order.objects.filter(pk=order.pk, browser_digest=order.browser_digest).update(
            browser_digest=""
        )
        if claimed:
            sign_in = order.buyer
    return ReturnOutcome(order=order, status=order.status, sign_in=sign_in)
