"""The demo school's exercise to hand in, added to a demo course by `seed_courses`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Course, Lesson, Module

# Per course language: the exercise's title and what it asks for.
DEMO_HANDIN = {
    "en": (
        "Hand in: your first budget",
        "Write a one-month budget for a small club: income, costs and what is left. "
        "Hand it in as text, or as a spreadsheet or PDF. Your instructor reviews it.",
    ),
    "da": (
        "Aflevering: dit første budget",
        "Lav et budget for en måned for en lille forening: indtægter, udgifter og hvad der er "
        "tilbage. Aflever det som tekst, regneark eller PDF. Din underviser gennemser det.",
    ),
    "de": (
        "Abgabe: dein erstes Budget",
        "Erstelle ein Monatsbudget für einen kleinen Verein: Einnahmen, Ausgaben und was übrig "
        "bleibt. Gib es als Text, Tabelle oder PDF ab. Deine Lehrkraft sieht es durch.",
    ),
}
MODULE_TITLE = _("Exercises")


def seed_demo_handin(course: Course) -> Lesson:
    """Add the hand-in exercise to the end of `course`; running it again changes nothing."""
    title, body = DEMO_HANDIN.get(course.language, DEMO_HANDIN["en"])
    existing = Lesson.objects.filter(
        module__course=course, kind=Lesson.Kind.HANDIN, title=title
    ).first()
    if existing is not None:
        return existing
    module = course.modules.order_by("-position", "-pk").first()
    if module is None:
        module = Module.objects.create(course=course, title=str(MODULE_TITLE), position=1)
    last = module.lessons.order_by("-position").values_list("position", flat=True).first() or 0
    return Lesson.objects.create(
        module=module, title=title, kind=Lesson.Kind.HANDIN, body=body, position=last + 1
    )
