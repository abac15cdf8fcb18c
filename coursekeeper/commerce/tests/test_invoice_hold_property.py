"""R14, R29, R33 as a property: an invoice outlives every erasure and exactly its legal hold.

Hypothesis draws the seller's country (Denmark or Germany), the end of the financial year,
the moment the invoice is issued, the moment its buyer erases their account and the moment the
retention sweep runs (around the release date, down to the second either side). The real
erasure (`erase_and_record`) and the real sweep (`run_sweep`) run, at their moments, in the
order the moments fall. Then:
- the erasure never removes the invoice;
- the sweep never deletes it before `release_at` and always deletes it once it runs after.

Each example runs in its own transaction, rolled back at the end, as the erasure property
test's do.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.commerce.factories import OrderFactory, OrderLineFactory
from coursekeeper.commerce.invoices import issue_invoice
from coursekeeper.commerce.models import Invoice, ShopSettings
from coursekeeper.privacy.ledger import erase_and_record
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.privacy.rules import release_date
from coursekeeper.privacy.sweep import run_sweep

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
YEAR_ENDS = st.one_of(
    st.sampled_from([(12, 31), (6, 30), (3, 31), (9, 30), (2, 28), (1, 31)]),
    st.tuples(st.integers(1, 12), st.integers(1, 28)),
)
ISSUED = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2040, 12, 31),
    timezones=st.just(COPENHAGEN),
)
SECOND = dt.timedelta(seconds=1)
# Where the sweep runs relative to the release date: at it, a second either side, or anywhere
# from ten years before to three years after.
SWEEP_OFFSET = st.one_of(
    st.sampled_from([dt.timedelta(0), SECOND, -SECOND]),
    st.timedeltas(min_value=dt.timedelta(days=-3660), max_value=dt.timedelta(days=1100)),
)


def set_seller(country: str, year_end: tuple[int, int]) -> None:
    seller = ProviderSettings.load()
    seller.legal_name, seller.street_address = "Fjord Kurser ApS", "Havnegade 3"
    seller.postal_code, seller.city, seller.country = "5000", "Odense C", country
    seller.vat_number = "DK87654321" if country == "DK" else "DE123456789"
    seller.save()
    shop = ShopSettings.current()
    shop.financial_year_end_month, shop.financial_year_end_day = year_end
    shop.save()


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    country=st.sampled_from(["DK", "DE"]),
    year_end=YEAR_ENDS,
    issued_at=ISSUED,
    erasure_after=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=4000)),
    sweep_offset=SWEEP_OFFSET,
)
def test_r14_an_erasure_never_removes_a_held_invoice_and_the_sweep_removes_it_exactly_after(
    country, year_end, issued_at, erasure_after, sweep_offset, fast_factories
):
    with transaction.atomic():
        set_seller(country, year_end)
        buyer = UserFactory()
        with time_machine.travel(issued_at, tick=False):
            order = OrderFactory(buyer=buyer, email=buyer.email)
            OrderLineFactory(order=order)
            invoice = issue_invoice(order=order)
        expected_release = release_date(
            country=country, rule="bookkeeping", event_at=issued_at, financial_year_end=year_end
        )
        assert invoice.release_at == expected_release
        assert invoice.release_at > issued_at

        erased_at = issued_at + erasure_after
        swept_at = invoice.release_at + sweep_offset
        events = sorted([(erased_at, "erase"), (swept_at, "sweep")], key=lambda e: e[0])
        for moment, event in events:
            alive_before = Invoice.objects.filter(pk=invoice.pk).exists()
            with time_machine.travel(moment, tick=False):
                if event == "erase":
                    erase_and_record(buyer)
                    # An erasure never removes the invoice, whenever it comes.
                    assert Invoice.objects.filter(pk=invoice.pk).exists() == alive_before
                else:
                    run_sweep(as_of=moment)
                    assert Invoice.objects.filter(pk=invoice.pk).exists() == (
                        moment <= invoice.release_at
                    )
        transaction.set_rollback(True)


@pytest.fixture
def fast_factories(settings, tmp_path):
    """Hash the factories' passwords quickly; keep any stored file in this test's directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
