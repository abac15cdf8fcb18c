"""R28 and R29 in Chromium: a learner downloads a copy of their data, then deletes the account."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.accounts.models import User
from tests.browser.conftest import accessibility_violations
from tests.browser.test_account_journey import PASSWORD, new_page, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r28_r29_a_learner_downloads_their_data_and_then_deletes_the_account(
    browser, live_server, token, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    learner = UserFactory(email=f"journey-{token}@example.org", full_name=f"Ida {token}")
    learner.set_password(PASSWORD)
    learner.save()
    page = new_page(browser)
    sign_in(page, live_server.url, learner.email)

    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Copy of everything").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "We are putting your copy together"
    )
    # The test's task backend runs the export job as soon as the request commits.
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    data = download_info.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert {"data.json", "summary.html", "summary.pdf"} <= set(names)
        assert token in archive.read("data.json").decode()
        json.loads(archive.read("data.json"))

    page.get_by_role("link", name="Delete my account").click()
    assert accessibility_violations(page) == []
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Delete my account and data now").click()
    expect(page.locator(".field-errors")).to_contain_text("The password is not right.")
    assert User.objects.filter(pk=learner.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and data now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is closed")
    assert not User.objects.filter(pk=learner.pk).exists()
    page.goto(live_server.url + reverse("privacy:my_privacy"))
    expect(page).to_have_url(
        live_server.url + reverse("account_login") + "?next=" + reverse("privacy:my_privacy")
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r32_the_public_request_pages_pass_wcag_aa_checks(browser, live_server):
    page = new_page(browser)
    page.goto(live_server.url + reverse("privacy:visitor_request"))
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Send the request").click()  # nothing filled in
    expect(page.locator(".field-errors").first).to_be_visible()
    assert accessibility_violations(page) == []
    page.goto(live_server.url + reverse("privacy:policy"))
    assert accessibility_violations(page) == []
