"""R35: the three page-view logs and the "viewed" request events move into the staff-access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.commerce.factories import InvoiceFactory, OrderFactory
from coursekeeper.contact.factories import ContactFactory
from coursekeeper.privacy.factories import RightsRequestFactory
from coursekeeper.privacy.models import StaffAccess

BEFORE = [
    ("privacy", "0011_staff_access"),
    ("commerce", "0003_order_payment_index"),
    ("contact", "0001_initial"),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_r35_every_old_view_becomes_an_access_row_naming_the_same_person(token):
    buyer = UserFactory()
    order = OrderFactory(buyer=buyer)
    invoice = InvoiceFactory()
    visitor = ContactFactory(user=None, email=f"visitor-{token}@example.org")
    request = RightsRequestFactory()
    staff = StaffFactory()
    seen_at = timezone.now() - dt.timedelta(days=40)

    _migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    old.get_model("commerce", "OrderView").objects.create(
        order_id=order.pk, viewed_by_id=staff.pk, page="list", at=seen_at
    )
    old.get_model("commerce", "InvoiceView").objects.create(
        invoice_id=invoice.pk, viewed_by_id=staff.pk, page="document", at=seen_at
    )
    old.get_model("contact", "ContactView").objects.create(
        contact_id=visitor.pk, viewed_by_id=staff.pk, page="thread", at=seen_at
    )
    old.get_model("privacy", "RightsRequestEvent").objects.create(
        request_id=request.pk, action="viewed", actor_id=staff.pk, at=seen_at
    )
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = StaffAccess.objects.order_by("place")
    assert [
        (row.place, row.user_id, row.email, row.object_id, row.staff_id, row.at, row.purpose)
        for row in rows
    ] == [
        ("commerce:staff_invoice", invoice.buyer_id, "", str(invoice.pk), staff.pk, seen_at,
         "bookkeeping"),
        ("commerce:staff_orders", buyer.pk, "", str(order.pk), staff.pk, seen_at, "sales"),
        ("contact:thread", None, visitor.email, str(visitor.pk), staff.pk, seen_at,
         "answer_enquiries"),
        ("privacy:request_detail", request.user_id, "", str(request.pk), staff.pk, seen_at,
         "privacy_rights"),
    ]  # fmt: skip
    assert rows.get(place="commerce:staff_orders").categories == ["identity", "contact", "payment"]
    assert not request.events.filter(action="viewed").exists()
