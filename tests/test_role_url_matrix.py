"""R34/R35: every route, requested as every role, answers as the access layer says.

The routes come from the URLconf, not from a list: a new route is requested the moment it is
added, and fails here until the test knows what to put in its parameters. The people:
- learner B owns an order, an invoice, a copy of their data, a consent, a session, a
  subscription, a rights request, a contact thread and progress in a course, and someone
  reported B's account as a minor's;
- learner A and an instructor of another course try every route with B's ids;
- support, operations, the privacy officer and the owner try every route too.

What must hold:
1. no route answers 5xx to anyone;
2. a route guarded by a capability (`@requires`) answers 403 to every signed-in role without
   it, sends the signed-out to sign in, and never answers 403 to a role that has it — for GET
   and for an empty POST, so a refused role cannot change anything either;
3. no answer to learner A contains anything of B's, and no answer to the instructor contains
   any learner's name, email or address;
4. a route whose parameters name one of B's own things never answers learner A with a 2xx.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.assignments.factories import HandinLessonFactory, SubmissionFactory
from coursekeeper.certificates.factories import CertificateFactory
from coursekeeper.commerce.factories import InvoiceFactory, OrderFactory, SubscriptionFactory
from coursekeeper.contact.factories import ContactEntryFactory, ContactFactory
from coursekeeper.learning.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
)
from coursekeeper.learning.models import LessonProgress
from coursekeeper.newsletter.factories import NewsletterFactory
from coursekeeper.privacy.access.roles import can
from coursekeeper.privacy.factories import (
    AuthenticatorFactory,
    ConsentFactory,
    ExportJobFactory,
    MinorReportFactory,
    RecipientFactory,
    RightsRequestFactory,
    UserSessionFactory,
)
from coursekeeper.quizzes.factories import (
    AnswerFactory,
    QuizFactory,
    QuizLessonFactory,
    single_choice,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "learner", Role.INSTRUCTOR, Role.SUPPORT, Role.OPERATIONS,
         Role.PRIVACY_OFFICER, Role.OWNER]  # fmt: skip


def _routes(patterns=None, prefix="", namespace=""):
    """Yield (name, route, callback, parameter names) for every named route outside the admin."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # the administration has its own access-log test
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}".lstrip(":")
            parameters = list(pattern.pattern.regex.groupindex)
            yield name, prefix + str(pattern.pattern), pattern.callback, parameters


@pytest.fixture
def world(token):
    """Learner B's things, and everyone who will go looking for them."""
    other = UserFactory(
        full_name=f"Bodil {token}Other",
        email=f"bodil-{token}@example.org",
        street_address=f"{token} Bodilvej 1",
        phone=f"+45 {int(token, 16) % 10**8:08d}",
    )
    course = CourseFactory(instructor=StaffFactory(role=Role.INSTRUCTOR), is_published=True)
    lesson = LessonFactory(module=ModuleFactory(course=course))
    EnrollmentFactory(learner=other, course=course)
    LessonProgressFactory(learner=other, lesson=lesson, position_seconds=42.0)
    order = OrderFactory(buyer=other, token=token)
    invoice = InvoiceFactory(buyer=other, token=token)
    export = ExportJobFactory(
        user=other, status="done", file=ContentFile(f'{{"n": "{token}"}}'.encode(), "x.json")
    )
    quiz = QuizFactory(lesson=QuizLessonFactory(module=lesson.module))
    question = single_choice(quiz)
    attempt = AnswerFactory(attempt__learner=other, attempt__quiz=quiz, question=question).attempt
    certificate = CertificateFactory(learner=other, course=course)
    contact = ContactFactory(user=other, email=other.email, name=other.full_name)
    # B's hand-in, whose answer and file name B: only B and the course's instructor see it.
    submission = SubmissionFactory(learner=other, lesson=HandinLessonFactory(module=lesson.module))
    ContactEntryFactory(contact=contact, text=f"Question from {token}")
    private = {
        "slug": course.slug,
        "lesson_id": lesson.pk,
        "public_id": order.public_id,
        "number": invoice.number,
        "consent_id": ConsentFactory(user=other, email=other.email).pk,
        "session_id": UserSessionFactory(user=other).pk,
        "subscription": SubscriptionFactory(user=other).pk,
        "export": export.pk,
        "request": RightsRequestFactory(user=other, details=f"About {token}").pk,
        "contact": contact.pk,
        "attempt_id": attempt.pk,
        "minor_report": MinorReportFactory(account=other, reasons=f"{token} is 14").pk,
        "certificate": certificate.pk,
        "submission_id": submission.pk,
    }
    people = {"anonymous": None, "learner": UserFactory(full_name="Aksel Seeker")}
    for role in ROLES[2:]:
        person = StaffFactory(role=role, is_staff=role != Role.INSTRUCTOR)
        AuthenticatorFactory(user=person)
        people[role] = person
    return {
        "token": token,
        "other": other,
        "lesson": lesson,
        "course": course,
        "private": private,
        "quiz": {"slug": course.slug, "lesson_id": quiz.lesson.pk, "question_id": question.pk},
        "shared": {
            "recipient": RecipientFactory().pk,
            "newsletter": NewsletterFactory().pk,
        },
        "people": people,
    }


# What each parameter is filled with: B's things where a route names one, else a value that
# names nothing (a token nobody was given, a version that does not exist).
def _arguments(name: str, parameters: list[str], world) -> tuple[dict, bool]:
    """Return the route's keyword arguments and whether they name one of B's own things."""
    private, shared = world["private"], world["shared"]
    by_route = {
        "privacy:download_export": {"pk": private["export"]},
        "privacy:request_detail": {"pk": private["request"]},
        "privacy:request_action": {"pk": private["request"], "action": "note"},
        "privacy:recipient_told": {"pk": private["request"], "notice_pk": 1},
        "privacy:recipient_edit": {"pk": shared["recipient"]},
        "commerce_account:cancel": {"pk": private["subscription"]},
        "commerce_webhooks:receive": {"provider": "test"},
        "privacy:policy_version": {"number": 1},
        "privacy:policy_diff": {"old": 1, "new": 2},
        "account_confirm_email": {"key": "nothing"},
        "account_reset_password_from_key": {"uidb36": "zz", "key": "nothing"},
        "surveys:remove_question": {
            "slug": private["slug"],
            "lesson_id": private["lesson_id"],
            "question_id": 1,
        },
        # A code nobody was given: B's own would show B's name to anyone, as it is meant to.
        "certificates:verify": {"code": "ABCDEFGHJKLM"},
        "certificates:course_revoke": {"slug": private["slug"], "pk": private["certificate"]},
    }
    if name.startswith("contact:"):
        by_route[name] = {"pk": private["contact"]}
    if name.startswith("privacy:minor_report") and "pk" in parameters:
        by_route[name] = {"pk": private["minor_report"]}
    if name.startswith("quizzes:editor_"):
        by_route[name] = world["quiz"]
    if name.startswith("newsletter:staff"):
        by_route[name] = {"pk": shared["newsletter"]}
    if name in by_route:
        kwargs = by_route[name]
    else:
        unknown = [p for p in parameters if p not in private and p not in {"token", "session_id"}]
        if unknown and parameters:
            pytest.fail(f"Route {name} has parameters {unknown}: say what to request it with.")
        kwargs = {p: private.get(p, "no-such-token") for p in parameters}
    kwargs = {p: kwargs[p] for p in parameters}
    private_values = {str(value) for value in private.values()}
    names_private = any(
        str(value) in private_values and key not in {"slug"} for key, value in kwargs.items()
    )
    return kwargs, names_private


def _object(name: str, world):
    """Return the object a route's capability is checked on (a course for the editor), or None."""
    on_course = (
        name.startswith(("learning:editor_", "surveys:", "quizzes:editor_"))
        and name not in {"learning:editor_courses", "learning:editor_new_course"}
    ) or (
        name.startswith("certificates:course_")
        or name in {"assignments:queue", "assignments:review", "assignments:review_file"}
    )
    return world["course"] if on_course else None


def _client(person) -> Client:
    client = Client(raise_request_exception=False)
    if person is not None:
        client.force_login(person)
    return client


def _traces_of(person, token: str) -> list[str]:
    return [token, person.email, person.full_name]


def test_r34_r35_every_route_as_every_role(world):
    routes = list(_routes())
    assert len(routes) > 100  # the URLconf was read, not a stub
    failures: list[str] = []
    seeker = world["people"]["learner"]
    instructor_hides = [*_traces_of(world["other"], world["token"]), seeker.email, seeker.full_name]
    for role in ROLES:
        person = world["people"][role]
        client = _client(person)
        for name, _route, callback, parameters in routes:
            if name in {"account_logout", "accounts:end_session"} and person is not None:
                continue  # would end this client's own session mid-crawl; tested elsewhere
            kwargs, names_private = _arguments(name, parameters, world)
            url = reverse(name, kwargs=kwargs)
            needed = getattr(callback, "required_capability", None)
            for method in ("get", "post") if needed else ("get",):
                response = getattr(client, method)(url)
                status = response.status_code
                where = f"{method.upper()} {url} as {role}: {status}"
                if status >= 500:
                    failures.append(f"{where} (server error)")
                if needed is not None:
                    if person is None and status not in (302, 403):
                        failures.append(f"{where} (signed-out reached a staff route)")
                    elif person is not None:
                        if not can(person, needed):
                            wrong = status != 403  # the role lacks it: refused before all else
                        elif can(person, needed, _object(name, world)):
                            wrong = status == 403
                        else:  # another instructor's course: refused on the object itself
                            wrong = status not in (403, 404, 405)
                        if wrong:
                            failures.append(f"{where} (capability {needed.code})")
                body = response.content.decode(errors="replace") if not response.streaming else ""
                if role == "learner":
                    if any(trace in body for trace in _traces_of(world["other"], world["token"])):
                        failures.append(f"{where} (shows learner B's data)")
                    if names_private and needed is None and 200 <= status < 300:
                        failures.append(f"{where} (reached learner B's own thing)")
                if role == Role.INSTRUCTOR and any(trace in body for trace in instructor_hides):
                    failures.append(f"{where} (shows a learner's data to an instructor)")

    assert failures == [], "\n".join(failures)


def test_r5_a_learner_cannot_save_progress_in_another_learners_lesson(world):
    client = _client(world["people"]["learner"])

    response = client.post(
        reverse("learning:save_progress"),
        json.dumps({"lesson": world["lesson"].pk, "position_seconds": 1, "completed": True}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert list(LessonProgress.objects.values_list("learner_id", "position_seconds")) == [
        (world["other"].pk, 42.0)
    ]
