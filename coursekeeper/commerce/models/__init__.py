"""The shop: products and prices, orders, invoices, subscriptions, refunds (R11-R16).

Money is held as whole minor units (øre, cent) in integer columns, as the payment providers
count it, so no sum is ever rounded twice. Prices are net (without VAT); the VAT of an order is
decided at checkout from the buyer's country and status and copied onto the order and the
invoice, so a later change of rates never changes what was sold.

Card numbers and security codes never reach these tables: the buyer types them on the payment
provider's own page. What an order keeps of the card (last 4 digits, expiry) it keeps only when
the shop's settings say so.

Where each model lives (import them from here, `coursekeeper.commerce.models`):
- `shop`: Currency, VatScheme, ShopSettings, VatRate -- the shop's settings and VAT rates;
- `catalogue`: Product, Price, Coupon -- what is for sale;
- `orders`: Order, OrderLine, PendingCheckout, WithdrawalWaiver -- a sale as it is made;
- `invoices`: InvoiceCounter, Invoice, InvoiceLine, VatEvidence -- its bookkeeping, held by law;
- `aftersale`: Refund, Subscription, SeatInvitation, GiftShipment -- what follows a paid order;
- `providers`: WebhookEvent and the built-in test provider's own records (Sandbox*).
"""

from coursekeeper.commerce.models.aftersale import (
    GiftShipment,
    Refund,
    SeatInvitation,
    Subscription,
)
from coursekeeper.commerce.models.catalogue import Coupon, Price, Product
from coursekeeper.commerce.models.invoices import Invoice, InvoiceCounter, InvoiceLine, VatEvidence
from coursekeeper.commerce.models.orders import Order, OrderLine, PendingCheckout, WithdrawalWaiver
from coursekeeper.commerce.models.providers import (
    SandboxCheckout,
    SandboxEvent,
    SandboxSubscription,
    WebhookEvent,
)
from coursekeeper.commerce.models.shop import Currency, ShopSettings, VatRate, VatScheme

__all__ = [
    "Coupon",
    "Currency",
    "GiftShipment",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "Order",
    "OrderLine",
    "PendingCheckout",
    "Price",
    "Product",
    "Refund",
    "SandboxCheckout",
    "SandboxEvent",
    "SandboxSubscription",
    "SeatInvitation",
    "ShopSettings",
    "Subscription",
    "VatEvidence",
    "VatRate",
    "VatScheme",
    "WebhookEvent",
    "WithdrawalWaiver",
]
