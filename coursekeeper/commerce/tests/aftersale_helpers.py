"""Shared set-up for the after-sale tests: orders paid the real way through the test provider."""

from __future__ import annotations

from django.test import Client

from coursekeeper.commerce.models import Order, ShopSettings, Subscription
from coursekeeper.commerce.providers.sandbox import CARD_ACCEPTED, pay_sandbox_checkout
from coursekeeper.commerce.tests.providers_helpers import complete_seller, pending_order
from coursekeeper.learning.factories import LessonFactory, ModuleFactory
from coursekeeper.learning.models import Enrollment, Lesson


def keep_card_details(keep: bool) -> None:
    shop = ShopSettings.current()
    shop.keep_card_details = keep
    shop.save()


def paid_order(token: str, *, subscription: bool = False, card: str = CARD_ACCEPTED, product=None):
    """Return an order paid at the test provider and fulfilled through its webhook.

    Needs a transactional test: the provider's webhook is delivered after commit.
    """
    complete_seller()
    order, checkout = pending_order(token, subscription=subscription, product=product)
    course = order.lines.get().product.courses.first()
    if course is not None and not course.modules.exists():
        LessonFactory(module=ModuleFactory(course=course))
    pay_sandbox_checkout(session_id=checkout.session_id, card=card, card_country="DK")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def subscription_of(order: Order) -> Subscription:
    return Subscription.objects.get(order=order)


def enrolment_of(order: Order) -> Enrollment:
    course = order.lines.get().product.courses.get()
    return Enrollment.objects.get(learner=order.buyer, course=course)


def first_lesson(order: Order) -> Lesson:
    course = order.lines.get().product.courses.get()
    lesson = Lesson.objects.filter(module__course=course).first()
    assert lesson is not None
    return lesson


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
