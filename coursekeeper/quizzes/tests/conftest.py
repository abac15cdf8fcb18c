import pytest
from django.test import Client

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.factories import EnrollmentFactory
from coursekeeper.quizzes.factories import QuizFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quiz():
    return QuizFactory()


@pytest.fixture
def learner(quiz):
    person = UserFactory()
    EnrollmentFactory(learner=person, course=quiz.lesson.module.course)
    return person


@pytest.fixture
def learner_client(learner):
    client = Client()
    client.force_login(learner)
    return client
