"""R30, R41: where each purpose is carried out is registered, checked, and told in the policy."""

from __future__ import annotations

import html

import pytest
from django.utils import translation
from django.utils.functional import lazystr

from coursekeeper.privacy import checks, paths, policy
from coursekeeper.privacy.gate import DespiteRestriction
from coursekeeper.privacy.paths import ProcessingPath
from coursekeeper.privacy.publishing import describe_change, diff_content
from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis, Purpose

pytestmark = pytest.mark.django_db

RECOMMENDATIONS = Purpose(
    "gatepaths_recommendations",
    LegalBasis.LEGITIMATE_INTEREST,
    lazystr("Recommendations"),
    lazystr("Suggest courses."),
    objectable=True,
)


def path_errors() -> list[tuple[str | None, str]]:
    return [(error.id, error.msg) for error in checks.check_processing_paths()]


def test_r30_the_project_registers_a_path_for_every_purpose():
    assert path_errors() == []


def test_r30_a_purpose_without_a_registered_path_fails_the_check(monkeypatch):
    monkeypatch.setitem(ALL_PURPOSES, RECOMMENDATIONS.code, RECOMMENDATIONS)

    assert path_errors() == [
        (
            "privacy.E010",
            "The purpose 'gatepaths_recommendations' has no registered processing path.",
        )
    ]


def test_r30_a_path_naming_a_missing_function_or_rehearsal_fails_the_check(monkeypatch):
    path = ProcessingPath(
        name="tests.recommend",
        purpose=RECOMMENDATIONS,
        title=lazystr("suggesting courses"),
        where=("coursekeeper.learning.services.recommend_courses",),
        rehearsal="coursekeeper.learning.factories.rehearse_recommendations",
    )
    monkeypatch.setitem(ALL_PURPOSES, RECOMMENDATIONS.code, RECOMMENDATIONS)
    monkeypatch.setitem(paths._paths, path.name, path)

    assert path_errors() == [
        (
            "privacy.E011",
            "The processing path 'tests.recommend' names "
            "'coursekeeper.learning.services.recommend_courses', which does not exist.",
        ),
        ("privacy.E012", "The processing path 'tests.recommend' has no rehearsal."),
    ]


def test_r30_a_legitimate_interest_nobody_can_object_to_must_say_why(monkeypatch):
    silent = Purpose(
        "gatepaths_fraud",
        LegalBasis.LEGITIMATE_INTEREST,
        lazystr("Fraud checks"),
        lazystr("Stop stolen cards."),
    )
    monkeypatch.setitem(ALL_PURPOSES, silent.code, silent)
    monkeypatch.setitem(
        paths._paths,
        "tests.fraud",
        ProcessingPath(
            name="tests.fraud",
            purpose=silent,
            title=lazystr("checking payments"),
            where=("coursekeeper.commerce.checkout.start_checkout",),
            rehearsal="coursekeeper.commerce.factories.rehearse_start_checkout",
        ),
    )

    assert [code for code, _ in path_errors()] == ["privacy.E013"]


def test_r30_registering_the_same_path_twice_with_other_details_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        paths.processing_path(
            ALL_PURPOSES["deliver_courses"],
            name="learning.save_position",
            title=lazystr("something else"),
            where="coursekeeper.learning.services.record_position",
            rehearsal="coursekeeper.learning.factories.rehearse_save_position",
        )


def test_r41_the_policy_says_what_a_restriction_and_an_objection_do_per_purpose():
    content = policy.current_content()
    courses = next(p for p in content["purposes"] if p["code"] == "deliver_courses")
    # Other apps deliver parts of a course too (certificates); the learning app's own paths:
    assert [path for path in courses["paths"] if path["name"].startswith("learning.")] == [
        {"name": "learning.mark_lesson_done", "exception": ""},
        {"name": "learning.save_position", "exception": ""},
        {"name": "learning.show_lesson", "exception": "consent"},
    ]

    text = html.unescape(" ".join(policy.render_policy(content, "en").split()))

    assert "marking lessons and courses done; saving your place in a video" in text
    assert "recording your quiz attempts, answers and scores" in text
    assert "showing you a lesson you open, because you ask for it yourself, each time" in text
    assert (
        "revoking a certificate that was issued in error, because it protects the rights of "
        "another person" in text
    )
    paused = next(
        sentence.split(".", 1)[0]
        for sentence in text.split("Paused until you lift the restriction: ")[1:]
        if "marking lessons and courses done" in sentence.split(".", 1)[0]
    )
    assert {
        "keeping the exercises you hand in",
        "giving you your instructor's review of an exercise",
        "telling you that an exercise you handed in was reviewed",
        "sending you the news of a course you take",
        "marking lessons and courses done",
        "saving your place in a video",
        "recording your quiz attempts, answers and scores",
    } <= set(paused.split("; "))
    assert (
        "Goes on: issuing and keeping the invoice of a payment, because a law requires it." in text
    )
    assert (
        "You can object at any time, and it stops at once: counting your page views; "
        "counting the width of your screen." in text
    )
    with translation.override("en"):
        grounds = str(ALL_PURPOSES["security"].compelling_grounds)
    assert grounds in text


def test_r41_a_change_of_what_a_restriction_pauses_is_told_but_does_not_wait():
    old = policy.current_content()
    new = policy.current_content()
    courses = next(p for p in new["purposes"] if p["code"] == "deliver_courses")
    courses["paths"] = [
        {**path, "exception": DespiteRestriction.CONSENT.value} for path in courses["paths"]
    ]

    (change,) = diff_content(old, new)

    assert (change.kind, change.material, change.subject) == (
        "restriction_changed",
        False,
        "deliver_courses",
    )
    with translation.override("en"):
        assert describe_change(change.as_dict()) == (
            "Your courses: where it is carried out, or what a restriction pauses, has changed."
        )
