"""R41, R42, R21: the policy's content is built from the declarations, the purposes, the recipients
and the provider's details; what changes in them is material or not; every language's policy
names every category, purpose, recipient and retention rule; the cookie policy lists the
registry."""

from __future__ import annotations

import dataclasses
import html
import json

import pytest
from django.utils import translation
from django.utils.functional import lazystr

from coursekeeper.cookies import tags, third_parties
from coursekeeper.cookies.models import RegistryEntry
from coursekeeper.learning.factories import LessonFactory
from coursekeeper.learning.models import Course
from coursekeeper.privacy import policy
from coursekeeper.privacy.declarations import After, Category, Event, registry
from coursekeeper.privacy.factories import RecipientFactory
from coursekeeper.privacy.models import ProviderSettings, Recipient
from coursekeeper.privacy.publishing import compare_rules, diff_content
from coursekeeper.privacy.purposes import ALL_PURPOSES
from coursekeeper.privacy.tests.test_pages import PROVIDER
from coursekeeper.privacy.texts import retention_text

pytestmark = pytest.mark.django_db


def build(*, declarations=None, purposes=None) -> dict:
    """Build the content from the real sources, or with the declarations/purposes given."""
    from coursekeeper.cookies.models import RegistryEntry

    return policy.build_content(
        declarations=list(registry) if declarations is None else declarations,
        purposes=list(ALL_PURPOSES.values()) if purposes is None else purposes,
        recipients=Recipient.objects.filter(active=True),
        provider=ProviderSettings.load(),
        cookies=RegistryEntry.objects.all(),
    )


def kinds(changes) -> list[tuple[str, bool]]:
    return sorted((change.kind, change.material) for change in changes)


def declaration_of(label: str):
    return next(d for d in registry if d.label == label)


def replaced(label: str, **changes) -> list:
    """Return the registry's declarations with the one called `label` changed."""
    return [dataclasses.replace(d, **changes) if d.label == label else d for d in list(registry)]


def test_r41_the_content_is_json_and_made_of_codes():
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)

    content = policy.current_content()

    assert json.loads(json.dumps(content)) == content
    assert content["controller"]["legal_name"] == "Fjord Kurser ApS"
    account = next(p for p in content["purposes"] if p["code"] == "account")
    assert account["basis"] == "contract"
    assert "title" not in account and "description" not in account
    user_rule = next(r for r in account["retention"] if r["data"] == "accounts.User")
    assert user_rule["rule"] == {
        "kind": "after_relationship",
        "rule": "customer_relationship",
        "country": "DK",
        "years": 5,
        "law": "GDPR Art. 5(1)(e)",
        "dated": None,
    }
    assert [c["code"] for c in content["categories"]] == [
        c.value
        for c in Category
        if any(c in d.categories() for d in registry if d.holds_personal_data)
    ]
    assert policy.current_content() == content  # the same sources give the same content


def test_r21_r37_adding_a_recipient_changes_the_content_and_is_material():
    before = build()
    RecipientFactory(name="Mailer Hosting ApS", categories=["contact"], purposes=["service_email"])

    changes = diff_content(before, build())

    assert kinds(changes) == [("recipient_added", True)]


def test_r21_a_recipient_outside_the_eea_is_a_transfer_and_material():
    before = build()
    RecipientFactory(name="Video Calls Inc.", location="USA", outside_eea=True, safeguard="dpf")

    assert kinds(diff_content(before, build())) == [
        ("recipient_added", True),
        ("transfer_added", True),
    ]


def test_r21_a_new_safeguard_for_an_existing_recipient_is_material_a_rename_is_not():
    recipient = RecipientFactory(location="USA", outside_eea=True, safeguard="scc")
    before = build()
    Recipient.objects.filter(pk=recipient.pk).update(name="Renamed Ltd.")
    renamed = build()
    Recipient.objects.filter(pk=recipient.pk).update(safeguard="dpf")

    assert kinds(diff_content(before, renamed)) == [("recipient_changed", False)]
    assert kinds(diff_content(renamed, build())) == [("transfer_added", True)]


def test_r21_a_declared_field_of_a_new_category_is_material():
    user = declaration_of("accounts.User")
    assert Category.RECORDING not in user.categories()
    before = build()

    after = build(
        declarations=replaced(
            "accounts.User", fields={**user.fields, "voice_sample": Category.RECORDING}
        )
    )

    assert after != before
    changes = diff_content(before, after)
    assert ("purpose_category_added", True) in kinds(changes)
    assert all(change.material for change in changes)
    assert {c.detail.get("category") for c in changes if c.kind == "purpose_category_added"} == {
        "recording"
    }


def test_r21_rewording_a_purpose_description_changes_nothing_material():
    before = build()
    reworded = [
        dataclasses.replace(p, description=lazystr("Entirely new words for the same purpose."))
        if p.code == "account"
        else p
        for p in ALL_PURPOSES.values()
    ]

    after = build(purposes=reworded)

    assert after == before
    assert diff_content(before, after) == []


def test_r21_a_retention_lengthened_is_material_and_shortened_is_not():
    entry = declaration_of("admin.LogEntry")
    assert entry.retention == After(Event.CREATED, column="action_time", years=3)
    before = build()

    longer = build(
        declarations=replaced(
            "admin.LogEntry", retention=After(Event.CREATED, column="action_time", years=4)
        )
    )
    shorter = build(
        declarations=replaced(
            "admin.LogEntry", retention=After(Event.CREATED, column="action_time", years=2)
        )
    )
    other_event = build(
        declarations=replaced(
            "admin.LogEntry", retention=After(Event.LAST_ACTIVITY, column="action_time", years=1)
        )
    )

    assert kinds(diff_content(before, longer)) == [("retention_lengthened", True)]
    assert kinds(diff_content(before, shorter)) == [("retention_shortened", False)]
    assert kinds(diff_content(before, other_event)) == [("retention_changed", True)]


def test_r21_rules_compare_as_numbers_of_the_same_kind():
    two_years = {"kind": "after", "event": "created", "years": 2, "days": 0, "explanation": None}
    thirty_days = {**two_years, "years": 0, "days": 30}
    hold = {
        "kind": "hold",
        "rule": "bookkeeping",
        "counted_from": "end_of_financial_year",
        "years": 5,
        "country": "DK",
        "law": "x",
    }

    assert compare_rules(thirty_days, two_years) == "longer"
    assert compare_rules(two_years, thirty_days) == "shorter"
    assert compare_rules(hold, {**hold, "years": 8}) == "longer"
    assert compare_rules(hold, two_years) == "different"


def test_r41_provider_details_change_the_content_but_not_materially():
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    before = build()
    ProviderSettings.objects.filter(pk=1).update(phone="+45 12 34 56 78")

    assert kinds(diff_content(before, build())) == [("controller_changed", False)]


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r41_each_language_policy_is_complete(language):
    ProviderSettings.objects.update_or_create(pk=1, defaults={**PROVIDER, "dpo_name": "Ida Holm"})
    RecipientFactory(name="Nordic Hosting A/S", categories=["identity", "contact"])
    RecipientFactory(
        name="Video Calls Inc.",
        location="USA",
        outside_eea=True,
        safeguard="dpf",
        purposes=["account"],
        categories=["identity"],
    )

    text = html.unescape(policy.render_policy(policy.current_content(), language))

    with translation.override(language):
        missing = []
        for declaration in registry:
            if not declaration.holds_personal_data:
                continue
            for category in declaration.categories():
                if str(category.label) not in text:
                    missing.append(("category", declaration.label, str(category.label)))
            for purpose in declaration.purposes:
                if str(purpose.title) not in text:
                    missing.append(("purpose", declaration.label, str(purpose.title)))
            rule = retention_text(declaration.retention)
            if rule[:1].upper() + rule[1:] not in text:
                missing.append(("retention", declaration.label, rule))
        for purpose in ALL_PURPOSES.values():
            if str(purpose.basis.label) not in text:
                missing.append(("basis", purpose.code, str(purpose.basis.label)))
            if purpose.balancing_note and str(purpose.balancing_note) not in text:
                missing.append(("balancing note", purpose.code, ""))
        for recipient in Recipient.objects.all():
            if recipient.name not in text:
                missing.append(("recipient", recipient.name, ""))
        expected_pieces = [
            "Fjord Kurser ApS, CVR 87654321",
            "Ida Holm",
            "Datatilsynet",
            str(Recipient.Safeguard.DPF.label),
        ]
        missing += [("text", piece, "") for piece in expected_pieces if piece not in text]
    assert missing == []
    # The rights link to the product's own pages.
    for url in ("/me/privacy/", "/privacy/request/", "/cookies/", "/privacy/cookies/"):
        assert f'href="{url}"' in text


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r42_the_cookie_policy_lists_every_registry_entry(language):
    entries = list(RegistryEntry.objects.all())
    assert len(entries) >= 3  # seeded by the cookies app's migration

    text = html.unescape(policy.render_cookie_policy(policy.current_content(), language))

    with translation.override(language):
        for entry in entries:
            assert entry.name in text
            assert (getattr(entry, f"purpose_{language}") or entry.purpose_en) in text
            assert policy.duration_text(entry.duration_seconds) in text
    assert 'href="/cookies/"' in text


def test_r42_cookie_durations_read_as_words():
    with translation.override("en"):
        assert policy.duration_text(None) == "until you close the browser"
        assert policy.duration_text(365 * 24 * 3600) == "1 year"
        assert policy.duration_text(182 * 24 * 3600) == "182 days"
        assert policy.duration_text(2 * 3600) == "2 hours"


TAGS = {
    "meta_pixel_id": "123456789012345",
    "google_tag_id": "G-A1B2C3D4E5",
    "linkedin_partner_id": "1234567",
}
OPERATORS = (
    "Meta Platforms Ireland Limited",
    "Google Ireland Limited",
    "LinkedIn Ireland Unlimited Company",
)


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r22_r41_a_configured_tag_names_its_operator_in_the_privacy_policy_while_it_is_set(
    language,
):
    ProviderSettings.objects.update_or_create(pk=1, defaults=PROVIDER)
    without = html.unescape(policy.render_policy(policy.current_content(), language))

    ProviderSettings.objects.filter(pk=1).update(**TAGS)
    content = policy.current_content()
    text = html.unescape(policy.render_policy(content, language))

    assert [party["id"] for party in content["third_parties"]] == [
        "google_analytics",
        "linkedin_insight",
        "meta_pixel",
    ]
    for operator in OPERATORS:
        assert operator not in without
        assert operator in text
    with translation.override(language):
        for piece in (
            str(Recipient.Role.JOINT_CONTROLLER.label),
            str(Recipient.Safeguard.DPF.label),
            third_parties.service_text("meta_pixel"),
            third_parties.service_text("google_analytics"),
            third_parties.location_text("linkedin_insight"),
        ):
            assert piece[:1].upper() + piece[1:] in text or piece in text, piece


def test_r22_r21_setting_a_tag_is_a_material_change_and_removing_it_is_not():
    before = policy.current_content()

    ProviderSettings.objects.update_or_create(
        pk=1, defaults={"meta_pixel_id": TAGS["meta_pixel_id"]}
    )
    after = policy.current_content()

    assert kinds(diff_content(before, after)) == [
        ("cookie_added", False),
        ("cookie_added", False),
        ("cookie_added", False),
        ("recipient_added", True),
        ("transfer_added", True),
    ]
    assert kinds(diff_content(after, before)) == [
        ("cookie_removed", False),
        ("cookie_removed", False),
        ("cookie_removed", False),
        ("recipient_removed", False),
    ]


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r22_r42_the_cookie_policy_lists_a_tags_cookies_only_while_it_is_set(language):
    without = html.unescape(policy.render_cookie_policy(policy.current_content(), language))
    ProviderSettings.objects.update_or_create(pk=1, defaults=TAGS)

    text = html.unescape(policy.render_cookie_policy(policy.current_content(), language))

    for kind in (tags.META_PIXEL, tags.GOOGLE_ANALYTICS, tags.LINKEDIN_INSIGHT):
        for entry in kind.registry_entries():
            assert f"<code>{entry.name}</code>" not in without
            assert f"<code>{entry.name}</code>" in text
            assert getattr(entry, f"purpose_{language}") in text
    assert "_gcl_au" not in text  # Google Ads is not what a G- id configures


def test_r22_r41_a_video_provider_is_named_while_a_published_lesson_embeds_from_it():
    lesson = LessonFactory(embed_provider="vimeo", embed_video_id="76979871")

    named = [party["id"] for party in policy.current_content()["third_parties"]]
    Course.objects.filter(pk=lesson.module.course_id).update(is_published=False)
    unpublished = [party["id"] for party in policy.current_content()["third_parties"]]

    assert named == ["vimeo"]
    assert unpublished == []
