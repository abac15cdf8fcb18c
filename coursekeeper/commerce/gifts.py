"""Welcome gifts: the buyer's address goes to the named supplier, and that is recorded (R16).

Called by the fulfilment inside its transaction: the shipment row, the disclosure logged
against the buyer (so it appears in their access export, `privacy.recipients.recipients_for`)
and the email to the supplier commit together or not at all. A second call for the same order
returns the first shipment and sends nothing again. The supplier's email forgets the address
once it is sent, so an erasure of the buyer leaves no copy in the outbox.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coursekeeper.commerce.models import GiftShipment, Order
from coursekeeper.commerce.privacy import SHIP_GIFT
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.people import Person

logger = logging.getLogger(__name__)

GIFT_REASON = "welcome gift shipping"
GIFT_CATEGORIES = ["identity", "contact"]
_LANGUAGE_OF_COUNTRY = {"DK": "da", "DE": "de", "AT": "de"}


def _supplier_language() -> str:
    from coursekeeper.commerce.pricing import seller_country

    return _LANGUAGE_OF_COUNTRY.get(seller_country(), "en")


@transaction.atomic
def record_gift_shipment(*, order: Order) -> GiftShipment | None:
    """Record the gift's shipment for a paid order and tell the supplier; None: no gift, or
    the privacy gate refused to pass the buyer's address on (a restriction)."""
    from coursekeeper.privacy.models import Disclosure

    existing = GiftShipment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    line = order.lines.select_related("product__gift_supplier").first()
    product = line.product if line else None
    if product is None or not product.gift_description or product.gift_supplier is None:
        return None
    decision = SHIP_GIFT.ask(Person.for_account_or_email(order.buyer, order.email))
    if not decision:
        # Restricted: the address is not passed on, now or later by itself; staff can ship the
        # gift once the restriction is lifted.
        logger.info("gift not shipped order=%s reason=%s", order.pk, decision.reason)
        return None
    now = timezone.now()
    shipment = GiftShipment.objects.create(
        order=order,
        supplier=product.gift_supplier,
        name=order.full_name,
        street_address=order.street_address,
        postal_code=order.postal_code,
        city=order.city,
        country=order.country,
        created_at=now,
    )
    Disclosure.objects.create(
        user=order.buyer,
        email="" if order.buyer_id else order.email,
        recipient=product.gift_supplier,
        categories=GIFT_CATEGORIES,
        reason=GIFT_REASON,
        disclosed_at=now,
    )
    if product.gift_supplier_email:
        language = _supplier_language()
        context = {"shipment": shipment, "product": product, "order": order}
        with translation.override(language):
            subject = render_to_string("commerce/email/gift_shipment_subject.txt", context)
            body = render_to_string("commerce/email/gift_shipment_message.txt", context)
        queue_email(
            about=Person.for_account_or_email(order.buyer, order.email),
            to=product.gift_supplier_email,
            subject=subject.strip(),
            body_text=body,
            language=language,
            template="commerce/gift_shipment",
            forget_after_sending=True,
        )
        shipment.sent_at = now
        shipment.save(update_fields=["sent_at"])
    return shipment
