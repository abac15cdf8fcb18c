"""What the shop holds about people, why, and where it processes it (the app's privacy module).

Imported by the privacy app's autodiscovery like every app's `privacy`; importing the package
registers everything, in this order (`declarations` imports `purposes` first):
- `purposes`: the shop's purposes (`SALES`, `BOOKKEEPING`, ...);
- `declarations`: one declaration per shop model, and when a customer relationship ends (R20);
- `paths`: the processing and email paths that carry the purposes out, and the erasure step
  that cancels running subscriptions at the payment provider.
"""

from coursekeeper.commerce.privacy.declarations import ABANDONED_ORDER_KEPT_FOR, ORDER_RETENTION
from coursekeeper.commerce.privacy.paths import (
    INVITE_TO_SEAT,
    ISSUE_INVOICE,
    RECORD_WAIVER,
    SHIP_GIFT,
    START_CHECKOUT,
)
from coursekeeper.commerce.privacy.purposes import (
    BOOKKEEPING,
    GIFT_SHIPPING,
    LEGAL_CLAIMS,
    SALES,
    SEAT_INVITATIONS,
)

__all__ = [
    "ABANDONED_ORDER_KEPT_FOR",
    "BOOKKEEPING",
    "GIFT_SHIPPING",
    "INVITE_TO_SEAT",
    "ISSUE_INVOICE",
    "LEGAL_CLAIMS",
    "ORDER_RETENTION",
    "RECORD_WAIVER",
    "SALES",
    "SEAT_INVITATIONS",
    "SHIP_GIFT",
    "START_CHECKOUT",
]
