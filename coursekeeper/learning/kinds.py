"""Lesson kinds whose part of the lesson page another app brings (quizzes, surveys, hand-ins).

The learning app knows a lesson's kind but not how a quiz is taken or an exercise handed in.
An app that owns a kind registers a `LessonPart` for it (in its `AppConfig.ready`): the template
the lesson page includes below the lesson's text, and a function that returns that template's
context for the learner looking at the page. The part's forms post to the app's own views,
which redirect back to the lesson. A part also says whether the learner may mark the lesson
done by hand; a quiz is done when it is passed, not when someone says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from coursekeeper.learning.selectors import LessonPage


@dataclass(frozen=True)
class LessonPart:
    template: str
    context: Callable[[HttpRequest, LessonPage], dict[str, Any]]
    done_by_hand: bool = False


_PARTS: dict[str, LessonPart] = {}


def register_lesson_part(kind: str, part: LessonPart) -> None:
    """Let the app that owns `kind` draw its part of the lesson page."""
    if kind in _PARTS and _PARTS[kind] != part:
        raise ValueError(f"The lesson kind {kind!r} already has a part.")
    _PARTS[kind] = part


def lesson_part(kind: str) -> LessonPart | None:
    return _PARTS.get(kind)


def part_context(request: HttpRequest, page: LessonPage) -> dict[str, Any]:
    """Return the lesson page's context for its kind's part: nothing for a plain lesson."""
    part = lesson_part(page.kind)
    if part is None:
        return {"part": None, "done_by_hand": True}
    return {
        "part": {"template": part.template, **part.context(request, page)},
        "done_by_hand": part.done_by_hand,
    }
