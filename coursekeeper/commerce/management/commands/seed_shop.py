"""Put the demo school's shop on the shelves: products, prices, a gift supplier, a coupon.

Idempotent: what exists (by slug, by code, by name) is left as it is, so running it twice
changes nothing. Run after `seed_courses`: each published demo course gets a product.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from coursekeeper.commerce.models import Coupon, Price, Product
from coursekeeper.learning.management.commands.seed_courses import COURSES
from coursekeeper.learning.models import Course
from coursekeeper.privacy.models import Recipient

GIFT_SUPPLIER = "Demo Gavepakker ApS"
GIFT_SUPPLIER_EMAIL = "gifts@supplier.demo.coursekeeper.test"

# Net prices in øre and cent (VAT is added at checkout for the buyer's country).
COURSE_PRICES = {"DKK": 80000, "EUR": 10900}


def _product(slug: str, *, prices: dict[str, int], courses=(), **fields) -> Product:
    product, created = Product.objects.get_or_create(slug=slug, defaults=fields)
    if created and courses:
        product.courses.set(courses)
    for currency, amount in prices.items():
        if not Price.objects.filter(product=product, currency=currency, active=True).exists():
            Price.objects.create(product=product, currency=currency, amount_minor=amount)
    return product


class Command(BaseCommand):
    help = "Create the demo shop's products, prices and coupon (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        slugs = [spec["slug"] for spec in COURSES]
        courses = list(Course.objects.filter(slug__in=slugs, is_published=True).order_by("pk"))
        # The last demo course stays free, so the demo shows free enrolment next to buying: no
        # product sells it, not even a bundle (a course any product gives access to is for sale).
        paid = courses[:-1]
        for course in paid:
            _product(
                course.slug,
                prices=COURSE_PRICES,
                courses=[course],
                title=course.title,
                description=course.summary,
                kind=Product.Kind.COURSE,
            )
        _product(
            "all-demo-courses",
            prices={"DKK": 180000, "EUR": 24500},
            courses=paid,
            title="Both paid courses",
            description="The school's paid courses in one bundle.",
            kind=Product.Kind.BUNDLE,
        )
        _product(
            "course-club-monthly",
            prices={"DKK": 14900, "EUR": 1990},
            courses=paid,
            title="Course club (monthly)",
            description="Every paid course, for as long as you subscribe. Cancel at any time.",
            kind=Product.Kind.SUBSCRIPTION,
            interval=Product.Interval.MONTH,
        )
        starts = (timezone.now() + dt.timedelta(days=45)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        _product(
            "privacy-workshop-aarhus",
            prices={"DKK": 120000, "EUR": 16100},
            title="Workshop: privacy in everyday teaching (Aarhus)",
            description="A day's workshop in Aarhus, lunch included.",
            kind=Product.Kind.EVENT,
            event_starts_at=starts,
            event_ends_at=starts + dt.timedelta(hours=7),
            event_attendance=Product.Attendance.IN_PERSON,
            event_country="DK",
        )
        supplier, _created = Recipient.objects.get_or_create(
            name=GIFT_SUPPLIER,
            defaults={
                "role": Recipient.Role.PROCESSOR,
                "service": "packing and shipping welcome gifts",
                "purposes": ["gift_shipping"],
                # Not a routine recipient of everyone's data: only the buyers of a product
                # with a gift, each logged as a disclosure.
                "categories": [],
                "location": "Denmark",
                "agreement_date": dt.date(2026, 1, 15),
            },
        )
        bookkeeping = [course for course in courses if course.slug == slugs[0]]
        _product(
            "bookkeeping-starter-kit",
            prices={"DKK": 95000, "EUR": 12900},
            courses=bookkeeping,
            title="Bookkeeping starter kit (course and printed handbook)",
            description="The bookkeeping course, with the printed handbook sent to your door.",
            kind=Product.Kind.COURSE,
            gift_description="Printed bookkeeping handbook",
            gift_supplier=supplier,
            gift_supplier_email=GIFT_SUPPLIER_EMAIL,
        )
        Coupon.objects.get_or_create(
            code="WELCOME10", defaults={"percent_off": 10, "max_uses": 100}
        )
        self.stdout.write(
            self.style.SUCCESS(f"Shop ready: {Product.objects.count()} products, coupon WELCOME10.")
        )
