"""R21, R41: publishing versions of the policy, the four weeks' notice of a material change with
one email per account holder in their language, the gate that waits for the version in effect,
and the pages that show versions and compare them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy import publishing
from coursekeeper.privacy.factories import ConsentFactory, PolicyVersionFactory, RecipientFactory
from coursekeeper.privacy.gate import REASONS, may_process
from coursekeeper.privacy.models import PolicyNotice, PolicyVersion, ProviderSettings
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.publishing import PolicyError, publish_policy
from coursekeeper.privacy.purposes import ACCOUNT, ALL_PURPOSES
from coursekeeper.privacy.tests.shapes.privacy import SHAPE_NEWSLETTER
from coursekeeper.privacy.tests.test_pages import PROVIDER, staff_client

pytestmark = pytest.mark.django_db(transaction=True)

FOUR_WEEKS = dt.timedelta(days=28)


@pytest.fixture
def provider():
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)


@pytest.fixture
def owner():
    return StaffFactory(role=Role.OWNER)


def test_r21_publishing_is_refused_while_provider_settings_are_missing(owner):
    ProviderSettings.objects.update_or_create(pk=1, defaults={**PROVIDER, "company_number": ""})

    with pytest.raises(PolicyError) as refused:
        publish_policy(acting_user=owner)

    assert refused.value.code == "settings_missing"
    assert "Missing: company number." in refused.value.message
    assert PolicyVersion.objects.count() == 0


def test_r21_only_the_owner_and_privacy_officer_publish(provider):
    with pytest.raises(PolicyError) as refused:
        publish_policy(acting_user=StaffFactory(role=Role.SUPPORT))

    assert refused.value.code == "not_allowed"
    assert PolicyVersion.objects.count() == 0


def test_r21_the_first_version_takes_effect_at_once_in_three_languages(provider, owner):
    before = timezone.now()

    version = publish_policy(acting_user=owner)

    assert (version.number, version.material, version.changes) == (1, False, [])
    assert before <= version.effective_at <= timezone.now()
    assert sorted(version.texts) == ["da", "de", "en"]
    assert sorted(version.cookie_texts) == ["da", "de", "en"]
    assert "Fjord Kurser ApS, CVR 87654321" in version.texts["da"]
    assert sorted(version.purposes) == sorted(ALL_PURPOSES)
    assert publishing.version_in_effect() == version
    assert publishing.pending_version() is None
    assert PolicyNotice.objects.count() == 0


def test_r21_publishing_when_nothing_changed_is_refused(provider, owner):
    publish_policy(acting_user=owner)

    with pytest.raises(PolicyError) as refused:
        publish_policy(acting_user=owner)

    assert refused.value.code == "nothing_changed"
    assert "since version 1" in refused.value.message
    assert PolicyVersion.objects.count() == 1


def test_r21_a_material_change_in_under_four_weeks_is_refused(provider, owner):
    publish_policy(acting_user=owner)
    UserFactory()
    RecipientFactory(name="Mail Relay GmbH")

    with pytest.raises(PolicyError) as refused:
        publish_policy(acting_user=owner, effective_at=timezone.now() + dt.timedelta(days=27))

    assert refused.value.code == "too_soon"
    assert "four weeks" in refused.value.message
    assert PolicyVersion.objects.count() == 1
    assert PolicyNotice.objects.count() == 0


def test_r21_a_non_material_change_takes_effect_at_once(provider, owner):
    publish_policy(acting_user=owner)
    ProviderSettings.objects.filter(pk=1).update(phone="+45 11 22 33 44")

    version = publish_policy(acting_user=owner)

    assert (version.number, version.material) == (2, False)
    assert [c["kind"] for c in version.changes] == ["controller_changed"]
    assert publishing.version_in_effect() == version
    assert PolicyNotice.objects.count() == 0


def test_r21_a_material_change_notifies_every_account_holder_once_in_their_language(
    provider, owner, smtp_server, settings, token
):
    settings.SITE_URL = "https://school.example"
    publish_policy(acting_user=owner)
    readers = {
        language: UserFactory(language=language, email=f"{language}-{token}@example.org")
        for language in ("da", "de", "en")
    }
    closed = UserFactory(is_active=False)
    RecipientFactory(name="Mail Relay GmbH")

    version = publish_policy(acting_user=owner)

    assert version.material
    assert version.effective_at - version.published_at == FOUR_WEEKS
    assert publishing.pending_version() == version
    in_effect = publishing.version_in_effect()
    assert in_effect is not None and in_effect.number == 1
    notices = PolicyNotice.objects.filter(version=version)
    # Every active account: the three readers and the owner; none for the closed account.
    assert notices.count() == 4
    assert not notices.filter(user=closed).exists()
    assert notices.filter(queued_at__isnull=True).count() == 0  # the task ran on commit
    messages = OutboxMessage.objects.filter(template="privacy/policy_notice")
    assert messages.count() == 4
    assert sorted(messages.values_list("language", flat=True)) == ["da", "de", "en", "en"]
    (mail,) = smtp_server.wait_for(readers["de"].email)
    with translation.override("de"):
        expected_subject = publishing.render_notice(version, language="de")[0]
    assert mail.subject == expected_subject
    assert "Mail Relay GmbH" in mail.text
    assert "https://school.example/privacy/versions/1/2/" in mail.text

    # A rerun of the dispatch, and the periodic command, send nothing twice.
    assert publishing.dispatch_policy_notices() == 0
    call_command("privacy_policy_notices", verbosity=0)
    assert OutboxMessage.objects.filter(template="privacy/policy_notice").count() == 4


def test_r21_notices_waiting_are_queued_in_batches_by_the_command(provider, owner):
    version = PolicyVersionFactory(number=7, material=True, changes=[])
    people = [UserFactory(language="da") for _ in range(5)]
    for person in people:
        PolicyNotice.objects.create(version=version, user=person)

    assert publishing.dispatch_policy_notices(batch_size=2) == 5
    assert publishing.dispatch_policy_notices(batch_size=2) == 0
    assert OutboxMessage.objects.filter(template="privacy/policy_notice").count() == 5
    assert set(PolicyNotice.objects.values_list("language", flat=True)) == {"da"}


def test_r21_the_gate_refuses_a_new_purpose_until_its_version_takes_effect(token):
    person = Person.for_email(f"reader-{token}@example.org")
    ConsentFactory(user=None, email=person.primary_email, purpose=SHAPE_NEWSLETTER.code)
    everything = sorted(ALL_PURPOSES)
    without = [code for code in everything if code != SHAPE_NEWSLETTER.code]
    now = timezone.now()
    assert may_process(person, SHAPE_NEWSLETTER).allowed  # no version yet: nothing changes
    PolicyVersionFactory(number=1, purposes=without, effective_at=now - dt.timedelta(days=1))
    PolicyVersionFactory(number=2, purposes=everything, effective_at=now + FOUR_WEEKS)

    decision = may_process(person, SHAPE_NEWSLETTER)

    assert (decision.allowed, decision.reason) == (False, "not_announced")
    assert "does not announce this purpose" in str(REASONS["not_announced"])
    assert may_process(person, ACCOUNT).allowed  # announced purposes go on
    with time_machine.travel(now + FOUR_WEEKS - dt.timedelta(minutes=1)):
        assert may_process(person, SHAPE_NEWSLETTER).reason == "not_announced"
    with time_machine.travel(now + FOUR_WEEKS + dt.timedelta(minutes=1)):
        assert may_process(person, SHAPE_NEWSLETTER).allowed


# --- Pages --------------------------------------------------------------------------------------


def test_r41_the_policy_page_shows_the_version_in_effect_and_the_pending_one(provider, owner):
    live = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:policy")).content.decode()
    assert "This policy has not been published yet" in live
    publish_policy(acting_user=owner)
    RecipientFactory(name="Mail Relay GmbH")
    pending = publish_policy(acting_user=owner)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:policy")).content.decode()

    assert "Version 1, in effect since" in page
    assert "A new version takes effect on" in page
    assert "Mail Relay GmbH" not in page  # not in effect yet
    assert f'href="{reverse("privacy:policy_diff", args=[1, 2])}"' in page
    assert f'href="{reverse("privacy:policy_versions")}"' in page
    danish = Client(HTTP_ACCEPT_LANGUAGE="da").get(reverse("privacy:policy")).content.decode()
    assert PolicyVersion.objects.get(number=1).texts["da"] in danish
    with time_machine.travel(pending.effective_at + dt.timedelta(seconds=1)):
        later = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:policy")).content.decode()
    assert "Version 2, in effect since" in later
    assert "Mail Relay GmbH" in later


def test_r21_the_history_and_the_diff_show_what_changed(provider, owner):
    publish_policy(acting_user=owner)
    RecipientFactory(name="Mail Relay GmbH")
    publish_policy(acting_user=owner)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    history = client.get(reverse("privacy:policy_versions")).content.decode()
    diff = client.get(reverse("privacy:policy_diff", args=[1, 2]))
    old = client.get(reverse("privacy:policy_version", args=[1]))

    assert "material: announced four weeks ahead" in history
    assert "first version" in history
    assert diff.status_code == 200
    page = diff.content.decode()
    assert "A new recipient of data: Mail Relay GmbH." in page
    assert "<ins><strong>Added:</strong> Mail Relay GmbH |" in page
    assert old.status_code == 200
    assert client.get(reverse("privacy:policy_diff", args=[1, 9])).status_code == 404


def test_r42_the_cookie_policy_page_lists_the_registry():
    from coursekeeper.cookies.models import RegistryEntry
    from coursekeeper.cookies.seed import seed_registry

    seed_registry(RegistryEntry)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("privacy:cookie_policy")).content.decode()

    assert "<h1>Cookie policy</h1>" in page
    for entry in RegistryEntry.objects.all():
        assert f"<code>{entry.name}</code>" in page


def test_r21_staff_preview_and_publish_with_an_effective_date(provider):
    client = staff_client(Role.PRIVACY_OFFICER)
    page = client.get(reverse("privacy:policy_staff"))
    assert page.status_code == 200
    assert "this will be the first version" in page.content.decode()

    published = client.post(reverse("privacy:policy_staff"), {"effective_date": ""})

    assert published.status_code == 302
    assert PolicyVersion.objects.get().number == 1
    RecipientFactory(name="Mail Relay GmbH")
    preview = client.get(reverse("privacy:policy_staff")).content.decode()
    assert "Material changes" in preview
    assert "A new recipient of data: Mail Relay GmbH." in preview
    too_soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    refused = client.post(reverse("privacy:policy_staff"), {"effective_date": too_soon})
    assert refused.status_code == 400
    assert "four weeks after it is announced" in refused.content.decode()
    assert PolicyVersion.objects.count() == 1
    later = (timezone.localdate() + dt.timedelta(days=35)).isoformat()
    assert (
        client.post(reverse("privacy:policy_staff"), {"effective_date": later}).status_code == 302
    )
    version = PolicyVersion.objects.get(number=2)
    assert timezone.localtime(version.effective_at).date().isoformat() == later


def test_r21_support_staff_cannot_open_the_publish_page(provider):
    client = staff_client(Role.SUPPORT)

    assert client.get(reverse("privacy:policy_staff")).status_code == 403
    assert client.post(reverse("privacy:policy_staff"), {}).status_code == 403
    assert PolicyVersion.objects.count() == 0
