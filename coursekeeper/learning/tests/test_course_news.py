"""R18: course news goes as a service email to the course's learners who may get it, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from coursekeeper.accounts.choices import Role
from coursekeeper.accounts.factories import StaffFactory, UserFactory
from coursekeeper.learning.factories import CourseFactory, EnrollmentFactory
from coursekeeper.learning.models import CourseNews, CourseNewsDelivery, Enrollment
from coursekeeper.learning.news import send_course_news, unsubscribe_url
from coursekeeper.messaging.models import OutboxMessage
from coursekeeper.privacy.factories import AuthenticatorFactory, RestrictionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor():
    person = StaffFactory(role=Role.INSTRUCTOR, is_staff=False)
    AuthenticatorFactory(user=person)
    return person


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def post_news(client: Client, course, token: str, action: str = "send"):
    return client.post(
        f"/teach/{course.slug}/news/",
        {
            "subject": f"Moved {token}",
            "body": f"The session moves to Thursday. {token}",
            "action": action,
        },
    )


def news_mail() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="learning/course_news").order_by("email"))


def test_r18_only_learners_with_access_and_the_setting_on_get_the_news(instructor, token):
    course = CourseFactory(instructor=instructor)
    danish = UserFactory(language="da", email=f"da-{token}@example.org")
    german = UserFactory(language="de", email=f"de-{token}@example.org")
    switched_off, ended, restricted = UserFactory(), UserFactory(), UserFactory()
    EnrollmentFactory(learner=danish, course=course)
    EnrollmentFactory(
        learner=german, course=course, access_until=timezone.now() + dt.timedelta(days=3)
    )
    EnrollmentFactory(learner=switched_off, course=course, receives_course_news=False)
    EnrollmentFactory(
        learner=ended, course=course, access_until=timezone.now() - dt.timedelta(days=1)
    )
    EnrollmentFactory(learner=restricted, course=course)
    RestrictionFactory(user=restricted, email=restricted.email)
    UserFactory()  # not enrolled

    answer = post_news(client_for(instructor), course, token)
    news = CourseNews.objects.get(course=course)
    queued = send_course_news(news_id=news.pk)

    assert answer.status_code == 302
    assert queued == 2
    mail = news_mail()
    assert [message.email for message in mail] == [danish.email, german.email]
    assert [message.language for message in mail] == ["da", "de"]
    assert mail[0].subject == f"{course.title}: Moved {token}"
    # The news as written; around it, the learner's own language.
    assert f"The session moves to Thursday. {token}" in mail[0].body_text
    assert (
        "Kursus" in mail[0].body_text
        or "kursus" in mail[0].body_text
        or "course" in mail[0].body_text
    )
    assert "/news/stop/" in mail[0].body_text
    assert news.__class__.objects.get(pk=news.pk).sent_at is not None
    assert set(CourseNewsDelivery.objects.values_list("learner_id", flat=True)) == {
        danish.pk,
        german.pk,
    }
    assert LogEntry.objects.filter(object_id=str(news.pk), user=instructor).count() == 1


def test_r18_a_rerun_sends_nothing_twice(instructor, token):
    course = CourseFactory(instructor=instructor)
    first, second = UserFactory(), UserFactory()
    EnrollmentFactory(learner=first, course=course)
    post_news(client_for(instructor), course, token)
    news = CourseNews.objects.get(course=course)

    assert send_course_news(news_id=news.pk) == 1
    EnrollmentFactory(learner=second, course=course)  # enrolled while it was being sent
    assert send_course_news(news_id=news.pk) == 1
    assert send_course_news(news_id=news.pk) == 0
    assert [message.email for message in news_mail()] == sorted([first.email, second.email])


def test_r18_the_preview_sends_nothing(instructor, token):
    course = CourseFactory(instructor=instructor)
    EnrollmentFactory(course=course)

    page = post_news(client_for(instructor), course, token, action="preview")

    assert page.status_code == 200
    assert f"The session moves to Thursday. {token}" in page.content.decode()
    assert CourseNews.objects.count() == 0
    assert news_mail() == []


def test_r18_the_link_in_the_email_switches_the_news_off_without_signing_in(instructor):
    course = CourseFactory(instructor=instructor)
    enrollment = EnrollmentFactory(course=course)
    link = unsubscribe_url(enrollment).split("testserver", 1)[-1]
    path = link[link.index("/news/stop/") :]

    shown = Client().get(path)
    stopped = Client().post(path)

    assert shown.status_code == 200
    assert stopped.status_code == 200
    assert Enrollment.objects.get(pk=enrollment.pk).receives_course_news is False
    assert Client().post("/news/stop/forged/").status_code == 404


def test_r18_the_learner_switches_the_news_on_the_course_page(instructor, token):
    course = CourseFactory(instructor=instructor)
    learner = UserFactory()
    enrollment = EnrollmentFactory(learner=learner, course=course)
    CourseNews.objects.create(
        course=course, author=instructor, subject=f"Past {token}", body="x", sent_at=timezone.now()
    )
    client = client_for(learner)

    page = client.get(f"/courses/{course.slug}/").content.decode()
    client.post(f"/courses/{course.slug}/news/", {"receives": "0"})

    assert f"Past {token}" in page
    assert Enrollment.objects.get(pk=enrollment.pk).receives_course_news is False
    client.post(f"/courses/{course.slug}/news/", {"receives": "1"})
    assert Enrollment.objects.get(pk=enrollment.pk).receives_course_news is True


def test_r18_an_instructor_cannot_post_to_another_instructors_course(instructor, token):
    course = CourseFactory(instructor=StaffFactory(role=Role.INSTRUCTOR))
    EnrollmentFactory(course=course)

    answer = post_news(client_for(instructor), course, token)

    assert answer.status_code == 403
    assert CourseNews.objects.count() == 0
    assert news_mail() == []
    assert LogEntry.objects.count() == 0


def test_r18_the_news_arrives_over_smtp(instructor, token, smtp_server):
    from coursekeeper.messaging.services import deliver_due_messages

    course = CourseFactory(instructor=instructor)
    learner = UserFactory(language="en")
    EnrollmentFactory(learner=learner, course=course)
    post_news(client_for(instructor), course, token)
    send_course_news(news_id=CourseNews.objects.get(course=course).pk)

    deliver_due_messages()
    (mail,) = smtp_server.wait_for(learner.email)

    assert mail.subject == f"{course.title}: Moved {token}"
    assert f"The session moves to Thursday. {token}" in mail.text
    assert "To stop the news of this course, open this link:" in mail.text


def test_r18_the_demo_has_one_sent_news_item_however_often_it_is_seeded(instructor):
    from coursekeeper.learning.demo_news import seed_demo_news

    course = CourseFactory(instructor=instructor)

    seed_demo_news(course)
    seed_demo_news(course)

    assert [(news.course_id, news.sent_at is not None) for news in CourseNews.objects.all()] == [
        (course.pk, True)
    ]
    assert news_mail() == []
