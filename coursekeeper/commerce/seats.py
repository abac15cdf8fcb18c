"""Places an employer bought for its staff: the buyer invites, each learner accepts (R12).

The buyer is not the learner. After a paid order "for others" with N seats the buyer offers
up to N places by email; each invitation's link carries a random token of which only the
digest is stored, so a database dump opens no place. Accepting enrols the signed-in person in
the product's courses. The buyer sees only the addresses they typed and whether each place
was taken, never the learner's progress.

The order's row is locked while an invitation is added, so two invitations sent at once cannot
offer more places than were bought.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.models import normalize_email
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order, SeatInvitation
from coursekeeper.commerce.privacy import INVITE_TO_SEAT
from coursekeeper.messaging.services import queue_email
from coursekeeper.privacy.people import Person
from coursekeeper.security.services import token_digest

_SEATED = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class SeatLine:
    email: str
    invited_at: object
    accepted: bool


@dataclass(frozen=True)
class SeatOverview:
    order: Order
    seats: int
    lines: tuple[SeatLine, ...]

    @property
    def left(self) -> int:
        return max(0, self.seats - len(self.lines))


def _check_buyer(order: Order, acting_user) -> None:
    if acting_user is None or order.buyer_id is None or order.buyer_id != acting_user.pk:
        raise CommerceError("not_your_order")
    if not order.for_others:
        raise CommerceError("seats_not_for_others")


def seat_overview(*, order: Order, acting_user) -> SeatOverview:
    """Return what the buyer may see of the places: addresses and taken yes/no."""
    _check_buyer(order, acting_user)
    lines = tuple(
        SeatLine(email=email, invited_at=invited_at, accepted=accepted_at is not None)
        for email, invited_at, accepted_at in order.invitations.order_by(
            "invited_at", "pk"
        ).values_list("email", "invited_at", "accepted_at")
    )
    return SeatOverview(order=order, seats=order.seats, lines=lines)


@transaction.atomic
def invite_to_seat(*, order: Order, email: str, acting_user, base_url: str) -> SeatInvitation:
    """Offer one of the order's places to `email` and email them the link."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    _check_buyer(order, acting_user)
    if order.status not in _SEATED:
        raise CommerceError("seat_order_not_paid")
    address = normalize_email(email)
    if order.invitations.filter(email=address).exists():
        raise CommerceError("seat_already_invited")
    if order.invitations.count() >= order.seats:
        raise CommerceError("seats_used_up")
    if not INVITE_TO_SEAT.ask(Person.for_email(address)):
        # Restricted or objected; the buyer is not told which, only that we may not.
        raise CommerceError("seat_invitee_refused")
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = SeatInvitation.objects.create(
                order=order, email=address, token_digest=token_digest(token)
            )
    except IntegrityError as error:
        raise CommerceError("seat_already_invited") from error
    line = order.lines.select_related("product").first()
    context = {
        "buyer_name": order.company_name or order.full_name,
        "product_title": line.product.title if line else "",
        "link": base_url.rstrip("/") + reverse("checkout:accept_seat", args=[token]),
    }
    with translation.override(order.language):
        subject = render_to_string("commerce/email/seat_invitation_subject.txt", context)
        body = render_to_string("commerce/email/seat_invitation_message.txt", context)
    queue_email(
        to=address,
        subject=subject.strip(),
        body_text=body,
        language=order.language,
        template="commerce/seat_invitation",
    )
    return invitation


def invitation_for_token(token: str) -> SeatInvitation:
    """Return the open or own invitation behind a link, or refuse."""
    invitation = (
        SeatInvitation.objects.select_related("order")
        .filter(token_digest=token_digest(token or ""))
        .first()
    )
    if invitation is None or invitation.order.status not in _SEATED:
        raise CommerceError("seat_invitation_invalid")
    return invitation


@transaction.atomic
def accept_seat(*, token: str, acting_user) -> SeatInvitation:
    """Take the place behind the link for the signed-in `acting_user` and enrol them.

    Accepting again as the same person changes nothing; a place taken by someone else refuses.
    """
    from coursekeeper.learning.services import enroll_learner

    invitation = invitation_for_token(token)
    invitation = (
        SeatInvitation.objects.select_for_update().select_related("order").get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        if invitation.learner_id == acting_user.pk:
            return invitation
        raise CommerceError("seat_invitation_invalid")
    line = invitation.order.lines.select_related("product").first()
    if line is not None:
        for course in line.product.courses.filter(is_published=True):
            enroll_learner(learner=acting_user, course=course)
    invitation.accepted_at = timezone.now()
    invitation.learner = acting_user
    invitation.save(update_fields=["accepted_at", "learner"])
    return invitation
