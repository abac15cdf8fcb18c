"""R18: offers to existing customers without consent, only where the recipient's country allows it
(markedsføringsloven § 10(2), UWG § 7(3)), with the objection offered in every email."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.commerce.factories import OrderFactory
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.newsletter.dispatch import run_dispatch, start_sending
from coursekeeper.newsletter.errors import NewsletterError
from coursekeeper.newsletter.factories import NewsletterFactory
from coursekeeper.newsletter.models import Newsletter, NewsletterDelivery, NewsletterDispatch
from coursekeeper.newsletter.rules import (
    CONDITIONS,
    CUSTOMER_OFFER_RULES,
    OfferFacts,
    may_offer_without_consent,
)
from coursekeeper.newsletter.selectors import customers_from_sales
from coursekeeper.newsletter.tests.conftest import subscribe
from coursekeeper.privacy.factories import ObjectionFactory, RestrictionFactory
from coursekeeper.privacy.tests.test_pages import staff_client

pytestmark = pytest.mark.django_db(transaction=True)

ALL_HOLD = OfferFacts(**dict.fromkeys(CONDITIONS, True))


def customer(country: str, **fields):
    """An account whose address came from a sale: it has a paid order."""
    person = UserFactory(country=country, **fields)
    OrderFactory(buyer=person)
    return person


def send(*, include_customers: bool, statements: bool = True) -> NewsletterDispatch:
    return start_sending(
        acting_user=StaffFactory(role=Role.OWNER),
        newsletter_id=NewsletterFactory().pk,
        include_customers=include_customers,
        own_similar_products=statements,
        objection_offered_at_collection=statements,
    )


def received(smtp_server) -> list[str]:
    return sorted(r for mail in smtp_server.messages for r in mail.recipients)


def test_r18_a_danish_customer_without_consent_gets_offers_only_when_staff_include_customers(
    smtp_server, site_url
):
    dane = customer("DK", language="da")

    send(include_customers=False)
    assert received(smtp_server) == []

    send(include_customers=True)

    (mail,) = smtp_server.wait_for(dane.email)
    assert mail.subject.startswith("Nyt fra skolen")
    # In the customer's language: why they get it, and the right to object, free of charge.
    assert "fordi du er kunde hos os" in mail.text
    assert "Du kan til enhver tid og gratis frabede dig sådanne e-mails." in mail.text
    assert re.fullmatch(
        r"<https://school\.example/newsletter/unsubscribe/[^/>]+/>",
        mail.message["List-Unsubscribe"].strip(),
    )
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = NewsletterDelivery.objects.get()
    assert (delivery.email, delivery.user_id, delivery.basis) == (dane.email, dane.pk, "customer")


def test_r18_customers_are_included_only_with_both_statements_and_a_refusal_changes_nothing():
    customer("DK")

    with pytest.raises(NewsletterError) as refused:
        send(include_customers=True, statements=False)

    assert refused.value.code == "customer_statements_needed"
    assert Newsletter.objects.get().status == Newsletter.Status.DRAFT
    assert NewsletterDispatch.objects.count() == 0


@pytest.mark.parametrize("country", ["DK", "DE"])
@pytest.mark.parametrize("missing", CONDITIONS)
def test_r18_the_rule_pack_allows_offers_only_when_every_condition_holds(country, missing):
    facts = OfferFacts(**{**dict.fromkeys(CONDITIONS, True), missing: False})

    assert may_offer_without_consent(country, ALL_HOLD) is True
    assert may_offer_without_consent(country, facts) is False
    assert CUSTOMER_OFFER_RULES[country].missing(facts) == [missing]


@pytest.mark.parametrize("country", ["FR", "SE", "GB", ""])
def test_r18_other_countries_need_prior_consent(country):
    assert may_offer_without_consent(country, ALL_HOLD) is False


def _run_dispatch_as_stated(*, own_similar_products: bool, objection_at_collection: bool) -> None:
    """Run a dispatch whose stored statements are as given (bypassing the form's check), so the
    worker's own reading of the rule is what is tested."""
    dispatch = NewsletterDispatch.objects.create(
        newsletter=NewsletterFactory(status=Newsletter.Status.SENDING),
        include_customers=True,
        own_similar_products_stated=own_similar_products,
        objection_at_collection_stated=objection_at_collection,
    )
    assert run_dispatch(dispatch_id=dispatch.pk) is True


@pytest.mark.parametrize(
    ("case", "included"),
    [
        ("all conditions hold", True),
        ("no sale", False),
        ("objected to offers", False),
        ("objected to everything", False),
        ("not only own similar products", False),
        ("not told at collection", False),
    ],
)
def test_r18_a_german_customer_gets_offers_only_if_every_condition_holds(
    case, included, smtp_server, site_url
):
    german = customer("DE") if case != "no sale" else UserFactory(country="DE")
    if case == "objected to offers":
        ObjectionFactory(user=german, email=german.email, purpose="customer_offers")
    if case == "objected to everything":
        ObjectionFactory(user=german, email=german.email, purpose="")

    _run_dispatch_as_stated(
        own_similar_products=case != "not only own similar products",
        objection_at_collection=case != "not told at collection",
    )

    if included:
        smtp_server.wait_for(german.email)
    assert received(smtp_server) == ([german.email] if included else [])
    assert NewsletterDelivery.objects.filter(email=german.email).exists() is included


def test_r18_a_customer_who_objected_through_an_email_gets_no_more_offers(smtp_server, site_url):
    dane = customer("DK")
    send(include_customers=True)
    (mail,) = smtp_server.wait_for(dane.email)
    link = re.search(r"https://school\.example(/newsletter/unsubscribe/\S+/)", mail.text)
    assert link is not None
    Client().post(link.group(1))

    send(include_customers=True)

    assert received(smtp_server) == [dane.email]
    assert NewsletterDispatch.objects.order_by("pk").values_list("skipped_count").last() == (1,)


@pytest.mark.parametrize("country", ["FR", ""])
def test_r18_a_customer_in_a_country_without_the_exception_is_left_out(
    country, smtp_server, site_url
):
    customer(country)
    dane = customer("DK")

    send(include_customers=True)

    smtp_server.wait_for(dane.email)
    assert received(smtp_server) == [dane.email]
    assert NewsletterDispatch.objects.get().total == 1


def test_r18_a_restricted_customer_and_an_erased_one_are_left_out(smtp_server, site_url):
    restricted = customer("DK")
    RestrictionFactory(user=restricted)
    leaving = customer("DE")
    leaving.is_active = False  # an erasure was asked for: the account is disabled at once
    leaving.save(update_fields=["is_active"])
    dane = customer("DK")

    send(include_customers=True)

    smtp_server.wait_for(dane.email)
    assert received(smtp_server) == [dane.email]


def test_r18_a_customer_who_also_subscribed_gets_one_email_as_a_subscriber(smtp_server, site_url):
    both = customer("DE")
    subscribe(both.email, user=both, language="de")

    send(include_customers=True)

    (mail,) = smtp_server.wait_for(both.email)
    assert "because you subscribed to it" in mail.text
    assert NewsletterDelivery.objects.get().basis == "consent"


def test_r18_customers_from_sales_are_the_accounts_with_a_paid_order_they_kept():
    paid = customer("DK")
    EnrollmentFactory(learner=UserFactory(country="DK"))  # a free enrolment is no sale
    OrderFactory(buyer=UserFactory(country="DK"), status="pending")  # never paid
    OrderFactory(buyer=UserFactory(country="DK"), status="refunded")  # withdrawn in full

    assert list(customers_from_sales()) == [paid]


def test_r18_the_send_page_counts_subscribers_and_customers_the_law_may_allow(token):
    subscribe(f"reader-{token}@example.org")
    customer("DK")
    customer("DE")
    customer("FR")
    newsletter = NewsletterFactory()

    page = staff_client(Role.OWNER).get(reverse("newsletter:staff_send", args=[newsletter.pk]))

    text = page.content.decode()
    assert "It goes to 1 subscriber who confirmed" in text
    assert "your own similar courses to 2 customers who did not subscribe" in text
