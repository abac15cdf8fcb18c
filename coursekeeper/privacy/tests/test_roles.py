"""R34/R35: one table decides who may do what; nothing outside the access layer names a role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.learning.factories import CourseFactory
from coursekeeper.privacy.access import roles
from coursekeeper.privacy.access.roles import can, holders

pytestmark = pytest.mark.django_db

CODE_ROOT = Path(roles.__file__).resolve().parents[2]

EXPECTED = {
    Role.LEARNER: set(),
    Role.INSTRUCTOR: {"teach"},
    Role.SUPPORT: {
        "answer_contacts",
        "sell",
        "see_invoices",
        "send_newsletters",
        "view_statistics",
        "use_administration",
    },
    Role.OPERATIONS: {"operate", "use_administration"},
    Role.PRIVACY_OFFICER: {
        "answer_contacts",
        "see_invoices",
        "handle_requests",
        "review_minor_reports",
        "keep_register",
        "publish_policy",
        "edit_provider",
        "read_access_log",
        "view_statistics",
        "use_administration",
    },
    Role.OWNER: set(roles.CAPABILITIES),
}


@pytest.mark.parametrize("role", list(Role))
def test_r34_each_role_may_do_exactly_what_the_table_says(role):
    person = StaffFactory(role=role, is_staff=False)

    allowed = {code for code in roles.CAPABILITIES if person.has_perm(f"access.{code}")}

    assert allowed == EXPECTED[role]


def test_r34_nobody_signed_out_or_deactivated_may_do_anything():
    gone = StaffFactory(role=Role.OWNER, is_active=False)

    assert [code for code in roles.CAPABILITIES if can(AnonymousUser(), code)] == []
    assert [code for code in roles.CAPABILITIES if can(gone, code)] == []


def test_r34_an_instructor_teaches_only_their_own_courses_the_owner_every_course():
    instructor = StaffFactory(role=Role.INSTRUCTOR)
    owner = StaffFactory(role=Role.OWNER)
    theirs = CourseFactory(instructor=instructor)
    another = CourseFactory(instructor=StaffFactory(role=Role.INSTRUCTOR))

    assert (can(instructor, "teach", theirs), can(instructor, "teach", another)) == (True, False)
    assert instructor.has_perm("access.teach", another) is False
    assert (can(owner, "teach", theirs), can(owner, "teach", another)) == (True, True)


def test_r35_alerts_go_to_the_people_who_hold_the_capability():
    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    owner = StaffFactory(role=Role.OWNER)
    StaffFactory(role=Role.SUPPORT)
    UserFactory()
    StaffFactory(role=Role.PRIVACY_OFFICER, is_active=False)

    assert set(holders(roles.HANDLE_REQUESTS)) == {officer, owner}


# Deciding by role: a comparison, a membership test, a query on the role column, a collection of
# roles, or a staff role's value written out.
DECIDES_BY_ROLE = re.compile(
    r"\.role\s*(==|!=)|\.role\s+(not\s+)?in\b|role__in"
    r"|[\{\[\(]\s*Role\.\w+"
    r"|(?<!name=)[\"'](owner|support|privacy_officer|operations)[\"']"
)
# Where roles are defined, assigned as data or built for tests.
ALLOWED = ("privacy/access/roles.py", "accounts/choices.py", "/migrations/", "/tests/", "seed_")


def test_r34_no_module_or_template_outside_the_access_layer_decides_by_role():
    found = []
    for path in sorted(CODE_ROOT.rglob("*")):
        relative = str(path.relative_to(CODE_ROOT))
        if path.suffix not in {".py", ".html", ".txt"} or any(a in relative for a in ALLOWED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DECIDES_BY_ROLE.search(line) or ("user.role" in line and path.suffix != ".py"):
                found.append(f"{relative}:{number}: {line.strip()}")

    assert found == []


@pytest.mark.parametrize("language", ["da", "de", "en"])
def test_r34_a_role_may_do_the_same_in_every_language(language):
    """A capability's title is translated; what a role may do must not change with it."""
    owner = StaffFactory(role=Role.OWNER)

    with translation.override(language):
        allowed = {code for code in roles.CAPABILITIES if can(owner, code)}

    assert allowed == set(roles.CAPABILITIES)
