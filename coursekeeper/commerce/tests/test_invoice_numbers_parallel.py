"""R14 under load: 50 checkouts paid at the same moment get 50 consecutive invoice numbers.

On PostgreSQL only: each thread has its own connection and transaction, and they really run at
once, queueing on the locked counter row. SQLite serialises writers for the whole database,
so the test would prove nothing about the lock there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from coursekeeper.commerce.factories import OrderFactory, OrderLineFactory
from coursekeeper.commerce.invoices import issue_invoice
from coursekeeper.commerce.models import Invoice, InvoiceCounter
from coursekeeper.privacy.models import ProviderSettings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer; the row lock is only exercised on PostgreSQL.",
    ),
]

BUYERS = 50


def test_r14_fifty_parallel_checkouts_get_fifty_distinct_consecutive_numbers():
    seller = ProviderSettings.load()
    seller.legal_name, seller.street_address = "Fjord Kurser ApS", "Havnegade 3"
    seller.postal_code, seller.city, seller.vat_number = "5000", "Odense C", "DK87654321"
    seller.save()
    orders = []
    for _ in range(BUYERS):
        order = OrderFactory()
        OrderLineFactory(order=order)
        orders.append(order)
    start = threading.Barrier(BUYERS)
    numbers: dict[int, str] = {}
    errors: list[BaseException] = []

    def pay(order) -> None:
        try:
            start.wait(timeout=60)
            with transaction.atomic():
                numbers[order.pk] = issue_invoice(order=order).number
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(numbers) == BUYERS
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, BUYERS + 1))
    assert len(set(numbers.values())) == BUYERS
    assert sorted(numbers.values()) == sorted(Invoice.objects.values_list("number", flat=True))
    assert InvoiceCounter.objects.get().last_sequence == BUYERS
