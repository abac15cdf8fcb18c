"""R29: data held only on consent goes when the service the consent served ends.

For every consent-based purpose, driven by the declarations and naming no model: the app's own
staff action records the end, the consents given for it end with it (their proofs kept for the
limitation period), and the retention sweep deletes what rested on them alone -- and nothing
that also rests on another ground, and no held row. The policy and the record of processing say
so in each language, from the same declaration.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import cast

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.functional import lazystr
from django.utils.text import capfirst

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.newsletter.models import PendingSignup
from coursekeeper.privacy import checks, consents, service_ends
from coursekeeper.privacy.declarations import (
    DELETE,
    Category,
    Declaration,
    Identifier,
    TheAccount,
    WhileAccountExists,
    registry,
)
from coursekeeper.privacy.gate import may_process
from coursekeeper.privacy.models import Consent, ServiceEnd
from coursekeeper.privacy.paths import resolve
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.policy import build_content, current_content, render_policy
from coursekeeper.privacy.publishing import describe_change, diff_content
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis, Purpose
from coursekeeper.privacy.register import record_of_processing
from coursekeeper.privacy.rules import release_date
from coursekeeper.privacy.sweep import run_sweep
from coursekeeper.privacy.testing import factories_by_model
from coursekeeper.web.refusals import Refusal

pytestmark = pytest.mark.django_db

CONSENT_PURPOSES = sorted(
    (purpose for purpose in ALL_PURPOSES.values() if purpose.basis == LegalBasis.CONSENT),
    key=lambda purpose: purpose.code,
)
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def declared(code: str) -> service_ends.DeclaredServiceEnd:
    end = service_ends.declared_end(code)
    assert end is not None, code
    return end


def staff_action(purpose: Purpose) -> Callable[..., ServiceEnd]:
    """The app's own staff action that records the end of the purpose's service."""
    return cast(Callable[..., ServiceEnd], resolve(declared(purpose.code).where))


def build_everything_for(person: Person) -> None:
    """Create one row of every declared personal-data model about `person`."""
    factories = factories_by_model()
    for declaration in registry:
        if declaration.holds_personal_data and not isinstance(declaration.subject, TheAccount):
            factories[declaration.model](**declaration.subject.factory_kwargs(person))


def rows_of(person: Person) -> dict[str, set]:
    return {
        declaration.label: set(declaration.rows_for(person).values_list("pk", flat=True))
        for declaration in registry
        if declaration.holds_personal_data
    }


def goes_with(declaration: Declaration, purpose: Purpose) -> bool:
    """Whether ending `purpose`'s service alone deletes a declaration's rows."""
    ends = service_ends.ends_of(declaration)
    return [end.purpose.code for end in ends] == [purpose.code]


def consent_to(purpose: Purpose, person_user, *, country: str) -> Consent:
    consents.ensure_wording(purpose=purpose.code, version="ends-test", texts={"en": "Yes."})
    return consents.give_consent(
        purpose=purpose.code,
        wording_version="ends-test",
        language="en",
        method="form",
        user=person_user,
        email="",
        country=country,
    )


def test_r29_there_is_a_consent_based_purpose_and_each_declares_its_end():
    assert [purpose.code for purpose in CONSENT_PURPOSES] == ["newsletter", "shape_newsletter"]
    for purpose in CONSENT_PURPOSES:
        assert callable(resolve(declared(purpose.code).where))


@pytest.mark.parametrize("purpose", CONSENT_PURPOSES, ids=lambda purpose: purpose.code)
def test_r29_ending_the_service_ends_its_consents_and_the_sweep_deletes_what_rested_on_them(
    purpose,
):
    token = secrets.token_hex(5)
    learner = UserFactory(email=f"ends-{token}@example.org", country="DE")
    person = Person.for_user(learner)
    owner = StaffFactory(role=Role.OWNER)
    with time_machine.travel(T0, tick=False):
        consent = consent_to(purpose, learner, country="DE")
        build_everything_for(person)
    expected_gone = [d.label for d in registry if goes_with(d, purpose)]
    also_other_grounds = [
        d.label
        for d in registry
        if purpose in d.purposes and d.holds_personal_data and d.label not in expected_gone
    ]
    ends_at = T0 + dt.timedelta(hours=1)
    swept_at = ends_at + dt.timedelta(minutes=1)
    # What the ordinary rules take by then goes first, so that what follows is the end's.
    baseline_report = run_sweep(as_of=swept_at)
    assert not [o for o in baseline_report.rules if o.rule.startswith("service ended")]
    baseline = rows_of(person)
    assert all(baseline[label] for label in expected_gone + also_other_grounds)

    with time_machine.travel(ends_at, tick=False):
        end = staff_action(purpose)(acting_user=owner)
    report = run_sweep(as_of=swept_at)

    # The end, and who recorded it, in the staff audit trail.
    assert (end.purpose, end.ended_at, end.ended_by, end.restarted_at) == (
        purpose.code,
        ends_at,
        owner,
        None,
    )
    audit = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(ServiceEnd))
    assert (audit.user_id, audit.object_id, audit.action_flag) == (owner.pk, str(end.pk), ADDITION)
    # The consent ended with it; its proof is held for Germany's limitation period.
    consent.refresh_from_db()
    assert consent.withdrawn_at == ends_at
    assert consent.proof_release_at == release_date(
        country="DE", rule="limitation", event_at=ends_at
    )
    assert not may_process(person, purpose).allowed
    # The sweep deleted exactly what was held only on that consent, one rule per declaration...
    by_end = {o.label: o.count for o in report.rules if o.rule.startswith("service ended")}
    assert by_end == {label: len(baseline[label]) for label in expected_gone}
    after = rows_of(person)
    for label in expected_gone:
        assert after[label] == set(), label
    # ... and left everything else as it was: other grounds, held rows, the rest.
    for label, pks in after.items():
        if label not in expected_gone:
            assert pks == baseline[label], label
    assert after["privacy.Consent"] == baseline["privacy.Consent"]
    # A rerun finds nothing more to do.
    again = run_sweep(as_of=swept_at)
    assert sum(o.count for o in again.rules if o.rule.startswith("service ended")) == 0


@pytest.mark.parametrize("purpose", CONSENT_PURPOSES, ids=lambda purpose: purpose.code)
def test_r29_a_role_without_the_capability_cannot_end_the_service_and_nothing_changes(purpose):
    learner = UserFactory()
    consent = consent_to(purpose, learner, country="DK")

    with pytest.raises(Refusal) as refused:
        staff_action(purpose)(acting_user=learner)

    assert refused.value.code == "not_allowed"
    assert ServiceEnd.objects.count() == 0
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert LogEntry.objects.count() == 0


def test_r29_ending_twice_changes_nothing_and_starting_again_needs_new_consents():
    purpose = ALL_PURPOSES["shape_newsletter"]
    owner = StaffFactory(role=Role.OWNER)
    first = UserFactory()
    consent_to(purpose, first, country="DK")
    end = service_ends.end_service(purpose=purpose.code, acting_user=owner)

    assert service_ends.end_service(purpose=purpose.code, acting_user=owner) == end
    assert ServiceEnd.objects.count() == 1
    assert LogEntry.objects.count() == 1

    restarted = service_ends.restart_service(purpose=purpose.code, acting_user=owner)
    assert restarted is not None
    assert restarted.pk == end.pk and restarted.restarted_by == owner
    assert service_ends.current_end(purpose.code) is None
    assert service_ends.restart_service(purpose=purpose.code, acting_user=owner) is None
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 1
    # The consent the end ended stays ended; a new one is needed, and works.
    assert not may_process(Person.for_user(first), purpose).allowed
    consent_to(purpose, first, country="DK")
    assert may_process(Person.for_user(first), purpose).allowed


def test_r29_the_consents_of_other_purposes_are_left_alone():
    owner = StaffFactory(role=Role.OWNER)
    learner = UserFactory()
    kept = consent_to(ALL_PURPOSES["newsletter"], learner, country="DK")

    service_ends.end_service(purpose="shape_newsletter", acting_user=owner)

    kept.refresh_from_db()
    assert (kept.withdrawn_at, kept.proof_release_at) == (None, None)
    assert may_process(Person.for_user(learner), ALL_PURPOSES["newsletter"]).allowed


# --- The checks ---------------------------------------------------------------------------------


def test_r29_a_consent_purpose_without_a_declared_end_fails_the_checks(monkeypatch):
    monkeypatch.setitem(
        ALL_PURPOSES,
        "shape_offer",
        Purpose("shape_offer", LegalBasis.CONSENT, lazystr("Offer"), lazystr("Test.")),
    )

    errors = checks.check_service_ends()

    assert [(error.id, error.msg) for error in errors] == [
        (
            "privacy.E020",
            "The consent-based purpose 'shape_offer' does not declare what ends its service.",
        )
    ]


def test_r29_a_declared_end_naming_no_staff_action_fails_the_checks(monkeypatch):
    shape = declared("shape_newsletter")
    monkeypatch.setitem(
        service_ends._declared,
        "shape_newsletter",
        service_ends.DeclaredServiceEnd(
            purpose=shape.purpose,
            title=shape.title,
            where="coursekeeper.privacy.tests.shapes.privacy.no_such_action",
            capability=shape.capability,
        ),
    )

    assert [error.id for error in checks.check_service_ends()] == ["privacy.E021"]


def test_r29_data_held_only_on_consent_without_a_retention_column_fails_the_checks(monkeypatch):
    without_column = Declaration(
        model=PendingSignup,
        subject=Identifier("email"),
        purposes=(ALL_PURPOSES["newsletter"],),
        fields={"email": Category.CONTACT},
        retention=WhileAccountExists(),
        erasure=DELETE,
    )
    monkeypatch.setattr(checks, "registry", [without_column])

    assert [error.id for error in checks.check_service_ends()] == ["privacy.E022"]


def test_r29_only_a_consent_based_purpose_can_declare_an_end():
    with pytest.raises(ValueError, match="does not rest on consent"):
        service_ends.declare_service_end(
            ALL_PURPOSES["account"],
            title=lazystr("never"),
            where="coursekeeper.privacy.tests.shapes.privacy.end_shape_newsletter",
            capability=declared("newsletter").capability,
        )


# --- What the policy and the register say -------------------------------------------------------


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r29_r41_the_policy_says_the_consents_data_goes_when_the_service_ends(language):
    content = current_content()
    ending = {entry["code"] for entry in content["purposes"] if entry["ends_with_service"]}
    assert ending == {purpose.code for purpose in CONSENT_PURPOSES}

    text = render_policy(content, language)

    with translation.override(language):
        for purpose in CONSENT_PURPOSES:
            title = str(declared(purpose.code).title)
            assert title in text, (language, purpose.code)
        assert text.count(translation.gettext("When the service ends")) == len(CONSENT_PURPOSES)


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r25_r29_the_record_of_processing_says_when_consent_only_data_goes(language):
    with translation.override(language):
        activities = {activity.code: activity for activity in record_of_processing()}
        for declaration in registry:
            ended = service_ends.end_text(declaration)
            if not ended:
                continue
            for purpose in declaration.purposes:
                lines = [(e.what, e.text) for e in activities[purpose.code].retention]
                assert (capfirst(declaration.plural_name), ended) in lines
        newsletter_end = str(declared("newsletter").title)
        pending_signups = registry.get(PendingSignup)
        assert pending_signups is not None
        assert newsletter_end in service_ends.end_text(pending_signups)


def test_r21_r29_adding_the_end_needs_no_notice_and_dropping_it_does():
    with_end = current_content()
    without_end = {
        **with_end,
        "purposes": [{**entry, "ends_with_service": False} for entry in with_end["purposes"]],
    }

    added = diff_content(without_end, with_end)
    dropped = diff_content(with_end, without_end)

    assert [(c.kind, c.material, c.subject) for c in added] == [
        ("service_end_added", False, purpose.code) for purpose in CONSENT_PURPOSES
    ]
    assert [(c.kind, c.material) for c in dropped] == [
        ("service_end_removed", True) for _purpose in CONSENT_PURPOSES
    ]
    with translation.override("en"):
        assert describe_change(added[0].as_dict()) == (
            "Newsletter: the data held only on your consent is deleted when the service ends."
        )
    # An older content without the key reads as "not deleted when the service ends".
    older = build_content(
        declarations=[], purposes=[ALL_PURPOSES["newsletter"]], recipients=[], provider=_Provider()
    )
    del older["purposes"][0]["ends_with_service"]
    newer = build_content(
        declarations=[], purposes=[ALL_PURPOSES["newsletter"]], recipients=[], provider=_Provider()
    )
    assert [c.kind for c in diff_content(older, newer)] == ["service_end_added"]


class _Provider:
    """The provider's details as the policy's content reads them; empty here."""

    country = "DK"
    PUBLISHED_FIELDS = ()
