"""Create the demo school's three courses (English, Danish, German) with a video and a PDF,
and a class of learners part-way through the first, so the instructor's page has figures;
the first course ends with an anonymous feedback survey (`surveys.demo`).

Idempotent: a course whose slug exists is left as it is, and the class is made once.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from coursekeeper.accounts.models import User
from coursekeeper.assignments.demo import seed_demo_handin
from coursekeeper.learning import services
from coursekeeper.learning.demo_news import seed_demo_news
from coursekeeper.learning.models import Course, Enrollment, Lesson, LessonProgress, Module, Topic
from coursekeeper.quizzes.demo import seed_demo_quiz
from coursekeeper.surveys.demo import seed_demo_survey
from coursekeeper.web.uploads import identify

ASSETS = Path(__file__).resolve().parents[2] / "demo_assets"
INSTRUCTOR_EMAIL = "instructor@demo.coursekeeper.test"
LEARNER_EMAIL = "learner@demo.coursekeeper.test"
# A made-up class in the first course: (first name, lessons finished, days since last active).
DEMO_CLASS = [
    ("Ida", 6, 1),
    ("Noah", 6, 2),
    ("Emma", 5, 1),
    ("Lukas", 5, 4),
    ("Freja", 4, 3),
    ("Mia", 4, 6),
    ("Oskar", 3, 2),
    ("Leonie", 2, 9),
    ("William", 1, 14),
    ("Clara", 1, 20),
    ("Elias", 0, 25),
]


def mp4_duration_seconds(path: Path) -> int:
    """Return an MP4's length from its `mvhd` box (no ffmpeg needed)."""
    data = path.read_bytes()
    at = data.find(b"mvhd")
    version = data[at + 4]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[at + 24 : at + 36])
    else:
        timescale, duration = struct.unpack(">II", data[at + 16 : at + 24])
    return max(1, round(duration / timescale))


T = "text"
V = "video"
F = "file"
X = "exercise"

COURSES: list[dict[str, Any]] = [
    {
        "slug": "bookkeeping-for-small-businesses",
        "title": "Bookkeeping for small businesses",
        "summary": "Keep tidy books from day one: receipts, invoices and the yearly close.",
        "description": (
            "A practical course for sole traders and small companies. You learn what to record, "
            "how long to keep it, and how to hand a clean set of books to your accountant.\n\n"
            "Five short lessons, a handbook to download and an exercise with real receipts."
        ),
        "language": "en",
        "topics": [("finance", "Finance")],
        "modules": [
            (
                "Getting started",
                [
                    (V, "Welcome to the course", "Watch the short welcome, then read on.", {}),
                    (
                        T,
                        "Why books matter",
                        "Books tell you where the money went, and the tax "
                        "authority expects them. Good habits take ten minutes a week.",
                        {},
                    ),
                ],
            ),
            (
                "Invoices",
                [
                    (
                        T,
                        "What an invoice must say",
                        "Seller and buyer, a unique sequential number, "
                        "the date, what was sold, the price before VAT, the VAT rate and amount.",
                        {},
                    ),
                    (
                        F,
                        "The course handbook",
                        "Download the handbook and keep it at hand.",
                        {"is_free_sample": True},
                    ),
                ],
            ),
            (
                "Practice",
                [
                    (
                        X,
                        "Record five receipts",
                        "Take five receipts from last month and record them "
                        "in a spreadsheet: date, supplier, amount, VAT and what it was for.",
                        {"release_after_days": 7},
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "grundlaeggende-projektledelse",
        "title": "Grundlæggende projektledelse",
        "summary": "Fra idé til afleveret projekt: mål, plan, risici og kommunikation.",
        "description": (
            "Et kursus for dig, der skal lede dit første projekt. Du lærer at formulere mål, "
            "lægge en realistisk plan og holde styr på risici og interessenter."
        ),
        "language": "da",
        "topics": [("leadership", "Leadership")],
        "modules": [
            (
                "Projektets mål",
                [
                    (
                        T,
                        "Hvad er et godt mål?",
                        "Et godt mål er konkret, målbart og tidsbestemt. "
                        "Skriv målet ned i én sætning, før du planlægger noget som helst.",
                        {},
                    ),
                    (
                        X,
                        "Formulér dit eget mål",
                        "Skriv målet for et projekt, du kender, og vis det til en kollega.",
                        {},
                    ),
                ],
            ),
            (
                "Planlægning",
                [
                    (
                        T,
                        "Milepæle og afhængigheder",
                        "Del projektet op i milepæle, og find ud af, hvad der afhænger af hvad.",
                        {"release_after_days": 3},
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "datenschutz-im-kursalltag",
        "title": "Datenschutz im Kursalltag",
        "summary": "Was Kursanbieter über Teilnehmerdaten wissen müssen, praxisnah erklärt.",
        "description": (
            "Anmeldung, Teilnehmerlisten, Aufzeichnungen: Dieser Kurs zeigt, welche Daten du "
            "wirklich brauchst, wie lange du sie aufbewahren darfst und wann du sie löschen musst."
        ),
        "language": "de",
        "topics": [("privacy", "Privacy")],
        "modules": [
            (
                "Grundlagen",
                [
                    (
                        T,
                        "Welche Daten brauchst du?",
                        "Frage bei jedem Feld eines Formulars: Wofür "
                        "brauche ich das, und wie lange?",
                        {},
                    ),
                    (
                        T,
                        "Aufbewahrung und Löschung",
                        "Rechnungen bewahrst du so lange auf, wie es das Steuerrecht verlangt; "
                        "alles andere löschst du, sobald der Zweck entfällt.",
                        {},
                    ),
                ],
            ),
            (
                "Übung",
                [
                    (
                        X,
                        "Prüfe dein Anmeldeformular",
                        "Gehe dein Anmeldeformular Feld für Feld "
                        "durch und streiche, was du nicht brauchst.",
                        {},
                    ),
                ],
            ),
        ],
    },
]


class Command(BaseCommand):
    help = "Create the demo school's courses (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        instructor = User.objects.filter(email=INSTRUCTOR_EMAIL).first()
        if instructor is None:
            raise CommandError("Run seed_demo first: the demo instructor teaches these courses.")
        created = 0
        for spec in COURSES:
            if Course.objects.filter(slug=spec["slug"]).exists():
                continue
            course = Course(
                slug=spec["slug"],
                title=spec["title"],
                summary=spec["summary"],
                description=spec["description"],
                language=spec["language"],
                instructor=instructor,
                is_published=True,
            )
            services.save_course(course=course, acting_user=instructor)
            for slug, name in spec["topics"]:
                topic, _new = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
                course.topics.add(topic)
            for module_position, (module_title, lessons) in enumerate(spec["modules"], start=1):
                module = Module.objects.create(
                    course=course, title=module_title, position=module_position
                )
                for position, (kind, title, body, extra) in enumerate(lessons, start=1):
                    lesson = Lesson(
                        module=module, title=title, kind=kind, body=body, position=position, **extra
                    )
                    self._attach_media(lesson)
                    lesson.save()
            created += 1
        # The quiz, the survey and the exercise to hand in before the class, so the class's
        # progress counts them among the lessons.
        first = Course.objects.filter(slug=COURSES[0]["slug"]).first()
        if first is not None:
            seed_demo_quiz(first)
            seed_demo_handin(first)  # into the practice module, before the survey adds its own
            seed_demo_survey(first)
        self._seed_class()
        if first is not None:
            seed_demo_news(first)
        from coursekeeper.certificates.demo import seed_demo_certificates

        issued = seed_demo_certificates()
        self._seed_learners_achievements()
        self.stdout.write(f"Demo courses ready ({created} created, {issued} certificates issued).")

    def _seed_learners_achievements(self) -> None:
        """Let the demo learner have passed the first course's quiz, and have finished the free
        course with its certificate, so a newcomer signing in sees a school in use."""
        from coursekeeper.certificates.demo import complete_course_with_certificate
        from coursekeeper.quizzes.demo import pass_demo_quiz

        learner = User.objects.filter(email=LEARNER_EMAIL).first()
        first = Course.objects.filter(slug=COURSES[0]["slug"]).first()
        free = Course.objects.filter(slug=COURSES[-1]["slug"]).first()
        if learner is None or first is None or free is None:
            return
        pass_demo_quiz(learner=learner, course=first)
        if not Enrollment.objects.filter(learner=learner, course=free).exists():
            complete_course_with_certificate(learner=learner, course=free)

    def _seed_class(self) -> None:
        """Enrol a made-up class and the demo learner in the first course, part-way through."""
        course = Course.objects.filter(slug=COURSES[0]["slug"]).first()
        if course is None or Enrollment.objects.filter(course=course).exists():
            return
        lessons = list(
            Lesson.objects.filter(module__course=course).order_by("module__position", "position")
        )
        now = timezone.now()
        people = [(User.objects.filter(email=LEARNER_EMAIL).first(), 2, 0)]
        for index, (first_name, _done, _days) in enumerate(DEMO_CLASS, start=1):
            email = f"class{index:02d}@demo.coursekeeper.test"
            classmate = User.objects.filter(email=email).first() or User.objects.create_user(
                email, None, full_name=f"{first_name} Demo", language="en"
            )
            EmailAddress.objects.get_or_create(
                user=classmate, email=email, defaults={"primary": True, "verified": True}
            )
            people.append((classmate, _done, _days))
        for person, done, days in people:
            if person is None:
                continue
            active = now - dt.timedelta(days=days)
            finished = min(done, len(lessons))
            Enrollment.objects.create(
                learner=person,
                course=course,
                enrolled_at=now - dt.timedelta(days=30),
                last_activity_at=active,
                last_lesson=lessons[finished - 1] if finished else None,
                completed_at=active if finished == len(lessons) else None,
            )
            # Opened some minutes before it was done, so the lesson times have figures.
            LessonProgress.objects.bulk_create(
                LessonProgress(
                    learner=person,
                    lesson=lesson,
                    completed_at=active,
                    updated_at=active,
                    first_opened_at=active - dt.timedelta(minutes=3 + 7 * ((done + step) % 6)),
                )
                for step, lesson in enumerate(lessons[:finished])
            )

    def _attach_media(self, lesson: Lesson) -> None:
        if lesson.kind == Lesson.Kind.VIDEO:
            path = ASSETS / "welcome.mp4"
            lesson.duration_seconds = mp4_duration_seconds(path)
        elif lesson.kind == Lesson.Kind.FILE:
            path = ASSETS / "course-handbook.pdf"
        else:
            return
        with path.open("rb") as handle:
            # The same check as an upload in the editor: "video/mp4", "application/pdf".
            lesson.media_type = identify(handle, name=path.name).media_type
            lesson.media.save(path.name, File(handle), save=False)
