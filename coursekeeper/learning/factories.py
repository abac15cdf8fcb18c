"""Test factories for the learning app."""

from __future__ import annotations

import secrets

import factory
from django.core.files.base import ContentFile

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.learning.models import (
    Course,
    CourseNews,
    CourseNewsDelivery,
    Enrollment,
    Lesson,
    LessonProgress,
    MaterialRequest,
    Module,
    Topic,
)
from coursekeeper.privacy.paths import Rehearsal


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}-{secrets.token_hex(3)}")
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "A course for testing."
    description = "What you learn here."
    language = "en"
    instructor = factory.SubFactory(UserFactory, role="instructor")
    is_published = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from coursekeeper.learning import search

        course = super()._create(model_class, *args, **kwargs)
        search.index_course(course)
        return course


class ModuleFactory(factory.django.DjangoModelFactory[Module]):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory[Lesson]):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    kind = Lesson.Kind.TEXT
    body = "Read this."
    position = factory.Sequence(lambda n: n)


class VideoLessonFactory(LessonFactory):
    kind = Lesson.Kind.VIDEO
    media = factory.LazyFunction(lambda: ContentFile(bytes(range(256)) * 40, "clip.mp4"))
    media_type = "video/mp4"
    duration_seconds = 30


class EnrollmentFactory(factory.django.DjangoModelFactory[Enrollment]):
    class Meta:
        model = Enrollment

    learner = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)


class LessonProgressFactory(factory.django.DjangoModelFactory[LessonProgress]):
    class Meta:
        model = LessonProgress

    learner = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    position_seconds = 12.5


class CourseNewsFactory(factory.django.DjangoModelFactory[CourseNews]):
    class Meta:
        model = CourseNews

    course = factory.SubFactory(CourseFactory)
    author = factory.SelfAttribute("course.instructor")
    subject = factory.Sequence(lambda n: f"News {n}")
    body = "The live session moves to Thursday."


class CourseNewsDeliveryFactory(factory.django.DjangoModelFactory[CourseNewsDelivery]):
    class Meta:
        model = CourseNewsDelivery

    news = factory.SubFactory(CourseNewsFactory)
    learner = factory.SubFactory(UserFactory)


class MaterialRequestFactory(factory.django.DjangoModelFactory[MaterialRequest]):
    class Meta:
        model = MaterialRequest

    lesson = factory.SubFactory(LessonFactory, is_free_sample=True)
    name = factory.Sequence(lambda n: f"Visitor {n}")
    email = factory.Sequence(lambda n: f"visitor-{n}-{secrets.token_hex(3)}@example.org")
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


# --- Rehearsals: each of the app's processing paths, ready to run for one person --------------


def _enrolled_video(user) -> Lesson:
    lesson = VideoLessonFactory(media="lessons/clip.mp4", duration_seconds=600)
    EnrollmentFactory(learner=user, course=lesson.module.course)
    return lesson


def rehearse_save_position(user, path) -> Rehearsal:
    from coursekeeper.learning.services import record_position

    lesson = _enrolled_video(user)
    return Rehearsal(
        run=lambda: record_position(learner=user, lesson_id=lesson.pk, position_seconds=42.0),
        happened=lambda: LessonProgress.objects.filter(
            learner=user, lesson=lesson, position_seconds=42.0
        ).exists(),
    )


def rehearse_mark_lesson_done(user, path) -> Rehearsal:
    from coursekeeper.learning.services import complete_lesson

    lesson = _enrolled_video(user)
    return Rehearsal(
        run=lambda: complete_lesson(learner=user, lesson=lesson),
        happened=lambda: LessonProgress.objects.filter(
            learner=user, lesson=lesson, completed_at__isnull=False
        ).exists(),
    )


def rehearse_show_lesson(user, path) -> Rehearsal:
    from coursekeeper.learning.selectors import lesson_page

    lesson = _enrolled_video(user)
    shown = []
    return Rehearsal(
        run=lambda: shown.append(lesson_page(learner=user, lesson_id=lesson.pk)),
        happened=lambda: bool(shown),
    )


def rehearse_send_free_material(user, path) -> Rehearsal:
    from coursekeeper.learning.services import request_free_material

    lesson = LessonFactory(is_free_sample=True, media="free/sheet.pdf")
    return Rehearsal(
        run=lambda: request_free_material(
            lesson=lesson, name=user.full_name, email=user.email, base_url="http://testserver"
        ),
        happened=lambda: MaterialRequest.objects.filter(email=user.email).exists(),
    )


def rehearse_note_lesson_opened(user, path) -> Rehearsal:
    from coursekeeper.learning.services import note_lesson_opened

    lesson = _enrolled_video(user)
    return Rehearsal(
        run=lambda: note_lesson_opened(learner=user, lesson_id=lesson.pk),
        happened=lambda: LessonProgress.objects.filter(
            learner=user, lesson=lesson, first_opened_at__isnull=False
        ).exists(),
    )


def rehearse_count_for_statistics(user, path) -> Rehearsal:
    from coursekeeper.learning.insight import counted_learners, counts_in_statistics

    lesson = _enrolled_video(user)
    course = lesson.module.course
    answers: list[bool] = []
    return Rehearsal(
        run=lambda: answers.append(counts_in_statistics(learner=user)),
        # The one person's answer, and the group's query agreeing with it.
        happened=lambda: answers == [True] and counted_learners(course).filter(pk=user.pk).exists(),
    )
