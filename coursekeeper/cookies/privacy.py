"""What the cookies app holds about people: the log of cookie choices (R23)."""

from coursekeeper.cookies.models import CookieChoice, RegistryEntry
from coursekeeper.privacy.declarations import (
    NOT_PERSONAL,
    Account,
    Anonymise,
    Category,
    Hold,
    HoldReason,
    declare,
    declare_not_personal,
)
from coursekeeper.privacy.purposes import PRIVACY_RIGHTS

declare_not_personal(
    RegistryEntry, reason="the list of cookies the site may set, the same for everyone"
)
declare(
    CookieChoice,
    # Only a signed-in person's choice names anyone; a visitor's row holds a random id that
    # only their own device's choice cookie repeats, and no IP address or browser details.
    subject=Account("user", keeps_row_on_erasure=True),
    purposes=[PRIVACY_RIGHTS],
    fields={
        "choice_id": Category.TECHNICAL,
        "user": Category.IDENTITY,
        "registry_version": Category.MARKETING,
        "preferences": Category.MARKETING,
        "statistics": Category.MARKETING,
        "marketing": Category.MARKETING,
        "method": Category.MARKETING,
        "language": Category.MARKETING,
        "made_at": Category.MARKETING,
        "proof_release_at": NOT_PERSONAL.because("the day the proof may be deleted"),
    },
    retention=Hold(
        rule="limitation",
        release_column="proof_release_at",
        reason=HoldReason.LEGAL_CLAIMS,
    ),
    erasure=Anonymise({"user": None}),
    notes="The proof of a cookie choice (which categories, for which version of the cookie "
    "list, how, when) is kept for the choice's six months plus the limitation period of the "
    "provider's country (R46). Erasing the account removes the link to it; what stays names "
    "nobody.",
)
