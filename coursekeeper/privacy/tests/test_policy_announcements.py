"""R21: a material change of the privacy policy is announced on the platform as well as by email:
on every page a signed-in person opens, in their language, with the date it takes effect and
links to the new version and to what changes, until it takes effect -- unless they hid it --
and on the public policy page for everyone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.models import PolicyNotice, ProviderSettings
from coursekeeper.privacy.policy_announcements import pending_changes
from coursekeeper.privacy.publishing import dispatch_policy_notices, publish_policy
from coursekeeper.privacy.tests.test_pages import PROVIDER

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2027, 1, 4, 12, 0, tzinfo=dt.UTC)
LATER = NOON + dt.timedelta(days=1)
HIDE = reverse("privacy:hide_policy_notice")
PAGES = [reverse("web:home"), reverse("learning:catalogue"), reverse("privacy:my_privacy")]


@pytest.fixture
def people():
    """Account holders from before the change: each gets its email notice too."""
    return {
        name: UserFactory(language=name[:2], time_zone="Europe/Copenhagen")
        for name in ("da", "de", "en", "da-other")
    }


@pytest.fixture
def material_change(people):
    """Version 1 in effect, and version 2 (a new recipient) published at NOON, four weeks out."""
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    owner = StaffFactory(role=Role.OWNER)
    with time_machine.travel(NOON - dt.timedelta(days=30), tick=False):
        publish_policy(acting_user=owner)
    RecipientFactory(name="Mail Relay GmbH")
    with time_machine.travel(NOON, tick=False):
        version = publish_policy(acting_user=owner)
    assert version.material and version.effective_at == NOON + dt.timedelta(days=28)
    return version


def signed_in(person) -> Client:
    """Sign in; call it at the moment the pages are read (sessions end when left idle)."""
    client = Client()
    client.force_login(person)
    return client


def announcement(language: str, version) -> str:
    """The notice's sentence as the person reads it: their language, their date format."""
    with translation.override(language):
        date = formats.date_format(version.effective_at, "DATE_FORMAT")
        return translation.gettext("A new version takes effect on %(date)s.") % {"date": date}


@pytest.mark.parametrize(("language", "month"), [("da", "februar"), ("de", "Februar")])
def test_r21_a_signed_in_person_sees_the_coming_change_on_every_page_in_their_language(
    material_change, people, language, month
):
    expected = announcement(language, material_change)
    assert f"1. {month} 2027" in expected

    for path in PAGES:
        with time_machine.travel(LATER, tick=False):
            page = signed_in(people[language]).get(path).content.decode()
        assert f'<html lang="{language}">' in page, path
        assert expected in page, path
        assert f'href="{reverse("privacy:policy_version", args=[2])}"' in page, path
        assert f'href="{reverse("privacy:policy_diff", args=[1, 2])}"' in page, path
        assert 'aria-labelledby="policy-change-2"' in page, path
        with translation.override(language):
            assert translation.gettext("See what changes") in page, path


def test_r21_a_visitor_sees_the_change_on_the_policy_page_only(material_change, settings):
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    with time_machine.travel(LATER, tick=False):
        home = visitor.get(reverse("web:home")).content.decode()
        policy = visitor.get(reverse("privacy:policy")).content.decode()

    assert 'id="policy-change-2"' not in home
    assert '<html lang="de">' in policy
    assert announcement("de", material_change) in policy
    assert policy.count('id="policy-change-2"') == 1
    assert HIDE not in policy  # nobody to remember a hidden notice for


def test_r21_the_policy_page_shows_the_notice_once_to_a_signed_in_person(material_change, people):
    with time_machine.travel(LATER, tick=False):
        page = signed_in(people["en"]).get(reverse("privacy:policy")).content.decode()

    assert page.count('id="policy-change-2"') == 1
    assert announcement("en", material_change) in page


def test_r21_the_notice_goes_when_the_version_takes_effect(material_change, people):
    with time_machine.travel(material_change.effective_at + dt.timedelta(minutes=1), tick=False):
        page = signed_in(people["da"]).get(reverse("web:home")).content.decode()

    assert 'id="policy-change-2"' not in page


def test_r21_hiding_the_notice_keeps_it_hidden_for_that_person_and_the_email_still_goes(
    material_change, people
):
    reader, other = people["da"], people["da-other"]
    # The reader's email notice was written when the version was published, not yet sent.
    assert PolicyNotice.objects.get(version=material_change, user=reader).queued_at is None

    with time_machine.travel(LATER, tick=False):
        client = signed_in(reader)
        hidden = client.post(HIDE, {"version": "2", "next": reverse("learning:catalogue")})
        after = client.get(reverse("web:home")).content.decode()
        elsewhere = signed_in(other).get(reverse("web:home")).content.decode()
        again = client.post(HIDE, {"version": "2", "next": "/"})

    assert hidden.status_code == 302
    assert hidden["Location"] == reverse("learning:catalogue")
    assert 'id="policy-change-2"' not in after
    assert 'id="policy-change-2"' in elsewhere
    notice = PolicyNotice.objects.get(version=material_change, user=reader)
    assert notice.dismissed_at == LATER
    assert again.status_code == 302
    notice.refresh_from_db()
    assert notice.dismissed_at == LATER  # the first moment is kept
    # Hiding it on the pages does not stop the email.
    dispatch_policy_notices()
    assert OutboxMessage.objects.filter(email=reader.email).count() == 1


def test_r21_someone_who_joined_later_can_hide_it_and_is_sent_no_email(material_change):
    with time_machine.travel(LATER, tick=False):
        newcomer = UserFactory(language="de")
        assert not PolicyNotice.objects.filter(user=newcomer).exists()
        client = signed_in(newcomer)
        shown = client.get(reverse("web:home")).content.decode()
        client.post(HIDE, {"version": "2", "next": "/"})
        hidden = client.get(reverse("web:home")).content.decode()

    assert 'id="policy-change-2"' in shown
    assert 'id="policy-change-2"' not in hidden
    notice = PolicyNotice.objects.get(user=newcomer)
    assert (notice.dismissed_at, notice.queued_at, notice.outbox_message) == (LATER, LATER, None)
    dispatch_policy_notices()
    assert OutboxMessage.objects.filter(email=newcomer.email).count() == 0


def test_r21_hiding_refuses_what_it_should_and_changes_nothing(material_change, people):
    person = people["en"]

    with time_machine.travel(LATER, tick=False):
        client = signed_in(person)
        outside = client.post(HIDE, {"version": "2", "next": "https://elsewhere.example/"})
        unknown = client.post(HIDE, {"version": "9", "next": "/"})
        empty = client.post(HIDE, {})
        read = client.get(HIDE)
        anonymous = Client().post(HIDE, {"version": "2"})

    assert (outside.status_code, outside["Location"]) == (302, reverse("web:home"))
    assert (unknown.status_code, empty.status_code, read.status_code) == (302, 302, 405)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    notice = PolicyNotice.objects.get(version=material_change, user=person)
    assert notice.dismissed_at == LATER  # only the first request hid it
    assert PolicyNotice.objects.filter(dismissed_at__isnull=False).count() == 1
    with time_machine.travel(material_change.effective_at + dt.timedelta(days=1), tick=False):
        assert signed_in(people["de"]).post(HIDE, {"version": "2"}).status_code == 302
    assert PolicyNotice.objects.filter(dismissed_at__isnull=False).count() == 1


def test_r21_a_change_that_is_not_material_is_not_announced_on_every_page():
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    owner = StaffFactory(role=Role.OWNER)
    with time_machine.travel(NOON - dt.timedelta(days=1), tick=False):
        publish_policy(acting_user=owner)
    ProviderSettings.objects.filter(pk=1).update(phone="+45 11 22 33 44")
    with time_machine.travel(NOON, tick=False):
        # Not material, but dated later by choice.
        later = publish_policy(acting_user=owner, effective_at=NOON + dt.timedelta(days=10))
    with time_machine.travel(LATER, tick=False):
        client = signed_in(UserFactory())
        home = client.get(reverse("web:home")).content.decode()
        policy = client.get(reverse("privacy:policy")).content.decode()

    assert not later.material
    assert f'id="policy-change-{later.number}"' not in home
    assert f'id="policy-change-{later.number}"' in policy


def test_r21_asking_for_a_persons_notices_is_one_query(material_change, django_assert_num_queries):
    person = UserFactory()

    with time_machine.travel(LATER, tick=False), django_assert_num_queries(1):
        changes = pending_changes(user=person)

    assert [(c.number, c.previous_number, c.effective_at) for c in changes] == [
        (2, 1, material_change.effective_at)
    ]
