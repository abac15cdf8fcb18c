"""The shop's one exception type: a refusal with a translated message; nothing changed.

Each part of the shop adds the codes it raises here, so every refusal a buyer or a member of
staff can meet reads the same way in Danish, German and English.
"""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_allowed": _("Your role does not allow this."),
    "product_not_found": _("This product is not for sale."),
    "price_not_found": _("This product has no price in that currency."),
    "price_changed": _(
        "The price changed while you were checking out. Nothing was charged; please look at "
        "the new price and try again."
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
    "provider_unavailable": _(
        "The payment provider cannot be reached right now. Nothing was charged; please try "
        "again in a few minutes."
    ),
}


class CommerceError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
