"""R12: the built-in test provider moves no money, so production has it only when asked for.

With test payments off (the production default) `/pay/test/…` is not routed, `/webhooks/test/`
is an unknown provider, the shop cannot choose the test provider, and a checkout refuses
instead of opening a page that marks an order paid for free. Development and the tests keep
it on (the demo's shop sells through it).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve

from coursekeeper.commerce import sandbox_urls
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.models import Order, SandboxCheckout, ShopSettings, WebhookEvent
from coursekeeper.commerce.providers.base import get_provider
from coursekeeper.commerce.tests.providers_helpers import (
    complete_seller,
    pending_order,
    post_event,
    sandbox_event,
)
from coursekeeper.commerce.tests.test_checkout import course_product, start

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def load_urls() -> None:
    """Build the URL configuration again from the current settings, as a fresh process would."""
    import coursekeeper.urls

    # The root URL configuration wraps the administration's login once when it loads; undo
    # that first, so loading it again leaves it wrapped once, as in a fresh process.
    # mypy knows neither that a method can be replaced nor the wrapper's __wrapped__.
    admin_site.login = admin_site.login.__wrapped__  # type: ignore[method-assign, attr-defined]
    importlib.reload(sandbox_urls)
    importlib.reload(coursekeeper.urls)
    clear_url_caches()


@pytest.fixture
def turn_test_payments_off(settings):
    """Return a function that turns test payments off (as production does by default)."""

    def turn_off() -> None:
        settings.COMMERCE_TEST_PAYMENTS = False
        load_urls()

    yield turn_off
    settings.COMMERCE_TEST_PAYMENTS = True
    load_urls()


def test_r12_in_development_the_test_provider_page_and_webhook_answer(client, token):
    complete_seller()
    _order, checkout = pending_order(token)

    page = client.get(f"/pay/test/{checkout.session_id}/")
    webhook = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert page.status_code == 200
    assert webhook.status_code == 200


def test_r12_with_test_payments_off_the_test_provider_is_not_routed(turn_test_payments_off, token):
    complete_seller()
    _order, checkout = pending_order(token)  # made while it was still on
    turn_test_payments_off()
    client = Client()

    page = client.get(f"/pay/test/{checkout.session_id}/")
    paying = client.post(
        f"/pay/test/{checkout.session_id}/",
        {"outcome": "pay", "simulate": "accepted", "issuer_country": "DK"},
    )
    webhook = post_event(client, *sandbox_event("checkout.completed", checkout.session_id))

    assert page.status_code == 404
    assert paying.status_code == 404
    assert webhook.status_code == 404
    with pytest.raises(Resolver404):
        resolve(f"/pay/test/{checkout.session_id}/")
    checkout.refresh_from_db()
    assert checkout.status == SandboxCheckout.Status.OPEN
    assert WebhookEvent.objects.count() == 0


def test_r12_with_test_payments_off_the_shop_cannot_use_or_choose_the_test_provider(
    turn_test_payments_off, token, rf
):
    complete_seller()
    product, _course = course_product(token)
    turn_test_payments_off()
    assert ShopSettings.current().payment_provider == "test"  # the model's default

    with pytest.raises(LookupError):
        get_provider("test")
    with pytest.raises(CommerceError) as refusal:
        start(product, token)
    form_field = admin_site._registry[ShopSettings].formfield_for_dbfield(
        ShopSettings._meta.get_field("payment_provider"), rf.get("/admin/")
    )

    assert refusal.value.code == "no_payment_provider"
    assert Order.objects.count() == 0
    assert SandboxCheckout.objects.count() == 0
    assert isinstance(form_field, forms.ChoiceField)
    assert [value for value, _label in form_field.widget.choices if value] == ["stripe"]


def run_in_production(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COURSEKEEPER_"))}
    production = {
        "DJANGO_SETTINGS_MODULE": "coursekeeper.settings",
        "COURSEKEEPER_ENV": "production",
        "DJANGO_SECRET_KEY": "Zq8-" + "x7Yp2Lm9Qr4Tv6Wb1Nc3Hd5Jf0Kg" * 2,
        "COURSEKEEPER_ERASURE_LEDGER_KEY": "Lk3-" + "p9Rt2Vx5Zb8Cd1Fg4Hj7Km0Nq3Sw" * 2,
        "COURSEKEEPER_MFA_KEYS": "Mf4-" + "q8Wn3Ry6Ub9Xe2Ah5Dk8Gp1Js4Lv" * 2,
        "DJANGO_ALLOWED_HOSTS": "courses.example.org",
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


ROUTED = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    resolve("/pay/test/cs_test_1/")
    print("routed")
except Resolver404:
    print("not routed")
"""


def test_r12_production_routes_the_test_provider_only_when_asked_for():
    default = run_in_production(ROUTED)
    enabled = run_in_production(ROUTED, COURSEKEEPER_TEST_PAYMENTS="1")

    assert default.stdout.strip() == "not routed", default.stderr
    assert enabled.stdout.strip() == "routed", enabled.stderr


def test_r12_the_deploy_check_warns_when_production_takes_test_payments():
    checked = run_in_production(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
        COURSEKEEPER_TEST_PAYMENTS="1",
    )

    assert "commerce.W001" in checked.stderr + checked.stdout
