"""Reads of the shop that views and other apps use: what is for sale, a buyer's orders, and
the staff's order list (each staff read is logged, R35)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order, Price, Product
from coursekeeper.commerce.withdrawal import (
    WithdrawalAssessment,
    assess_withdrawal,
    refunded_minor,
)
from coursekeeper.privacy.access.roles import SELL, can
from coursekeeper.privacy.access.services import record_access


def product_by_slug(slug: str) -> Product:
    """Return the active product called `slug`, or refuse with "product_not_found"."""
    product = Product.objects.filter(slug=slug, active=True).select_related("gift_supplier").first()
    if product is None:
        raise CommerceError("product_not_found")
    return product


def product_for_course(course) -> Product | None:
    """Return the active product that sells `course` on its own (a course product) first, else
    any active product with a price that gives access to it; None when the course is free."""
    products = (
        Product.objects.filter(courses=course, active=True, prices__active=True)
        .distinct()
        .order_by("title", "pk")
    )
    own = products.filter(kind=Product.Kind.COURSE).first()
    return own or products.first()


def course_is_for_sale(course) -> bool:
    return product_for_course(course) is not None


def active_prices(product: Product) -> list[Price]:
    return list(product.prices.filter(active=True).order_by("currency"))


@dataclass(frozen=True)
class PriceTag:
    currency: str
    total_minor: int  # with the seller's own VAT: what a buyer in the seller's country pays


@dataclass(frozen=True)
class CourseOffer:
    product: Product
    prices: tuple[PriceTag, ...]


def course_offer(course) -> CourseOffer | None:
    """Return what the course page shows: the product that sells the course and its prices.

    Consumer prices are shown with VAT; the VAT of the seller's country is the one shown
    before the buyer gives their own country at checkout.
    """
    from coursekeeper.commerce import pricing

    product = product_for_course(course)
    if product is None:
        return None
    tags = []
    for price in active_prices(product):
        offer = pricing.quote(
            product=product,
            currency=price.currency,
            buyer_country=pricing.seller_country(),
        )
        tags.append(PriceTag(currency=price.currency, total_minor=offer.total_minor))
    return CourseOffer(product=product, prices=tuple(tags))


def order_by_public_id(public_id) -> Order:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as error:
        raise CommerceError("order_not_found") from error
    order = Order.objects.filter(public_id=key).first()
    if order is None:
        raise CommerceError("order_not_found")
    return order


def product_of_order(order: Order) -> Product | None:
    line = order.lines.select_related("product").first()
    return line.product if line else None


def buyer_order(*, public_id, user) -> Order:
    """Return the signed-in buyer's own order, or refuse as if it did not exist."""
    order = order_by_public_id(public_id)
    if not user.is_authenticated or order.buyer_id != user.pk:
        raise CommerceError("order_not_found")
    return order


def customer_account_ids():
    """Return a query of the accounts that bought something and kept it (a paid order).

    A free enrolment, a free download or a purchase withdrawn in full is not a sale: the
    existing-customer rules of the newsletter (markedsføringsloven § 10(2), UWG § 7(3)) mean an
    address obtained in connection with a sale.
    """
    return (
        Order.objects.filter(
            status__in=[Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED], buyer__isnull=False
        )
        .values("buyer_id")
        .distinct()
    )


@dataclass
class BuyerOrder:
    order: Order
    withdrawal: WithdrawalAssessment
    refunded_minor: int


def orders_of_buyer(user) -> list[BuyerOrder]:
    """Return the person's paid (or refunded) orders with their invoices and withdrawal state."""
    if user is None or not user.is_authenticated:
        return []
    orders = (
        Order.objects.filter(buyer=user)
        .exclude(status__in=[Order.Status.PENDING, Order.Status.EXPIRED, Order.Status.FAILED])
        .prefetch_related("lines", "invoices", "refunds")
        .order_by("-created_at")
    )
    return [BuyerOrder(order, assess_withdrawal(order), refunded_minor(order)) for order in orders]


def order_of_buyer(user, public_id) -> Order:
    """Return the person's own order by its public id; refuse anyone else's."""
    order = (
        Order.objects.filter(public_id=public_id, buyer=user).first()
        if user is not None and user.is_authenticated
        else None
    )
    if order is None:
        raise CommerceError("order_not_found")
    return order


STAFF_PAGE_SIZE = 50


def staff_order_page(*, acting_user, query: str = "", status: str = "", page_number=None):
    """Return one page of orders for the staff list, logging that `acting_user` saw them (R35).

    `query` finds an email (part of it) or a public id; `status` filters by status.
    """
    from django.core.paginator import Paginator

    if not can(acting_user, SELL):
        raise CommerceError("not_allowed")
    orders = Order.objects.only(
        "pk", "public_id", "status", "email", "full_name", "currency", "total_minor", "created_at"
    )
    query = query.strip()
    if query:
        try:
            orders = orders.filter(public_id=uuid.UUID(query))
        except ValueError:
            orders = orders.filter(email__icontains=query)
    if status in Order.Status.values:
        orders = orders.filter(status=status)
    page = Paginator(orders.order_by("-created_at", "-pk"), STAFF_PAGE_SIZE).get_page(page_number)
    record_access(
        acting_user=acting_user,
        rows=page.object_list,
        place="commerce:staff_orders",
        categories=["identity", "contact", "payment"],
    )
    return page


def open_order_for_staff(*, acting_user, public_id) -> Order:
    """Return an order with its lines, invoices and refunds for staff, logging the view."""
    if not can(acting_user, SELL):
        raise CommerceError("not_allowed")
    order = (
        Order.objects.filter(public_id=public_id)
        .select_related("buyer")
        .prefetch_related("lines", "invoices", "refunds")
        .first()
    )
    if order is None:
        raise CommerceError("order_not_found")
    record_access(acting_user=acting_user, rows=[order], place="commerce:staff_order")
    return order
