"""The course editor: instructors create and change their courses, modules and lessons.

Thin: the forms parse, `learning.selectors` finds what may be edited, `learning.services` writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.learning import news, selectors, services
from coursekeeper.learning.forms import CourseForm, CourseNewsForm, LessonForm, ModuleForm
from coursekeeper.learning.insight import CourseInsight, course_insight
from coursekeeper.learning.models import Course, Lesson
from coursekeeper.privacy.access.roles import TEACH, requires
from coursekeeper.web.charts import BarChart, bar_chart
from coursekeeper.web.refusals import refusals_as_pages


@requires(TEACH)
@require_GET
def course_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    courses = selectors.courses_to_edit(acting_user=request.user)
    return render(request, "learning/editor/course_list.html", {"courses": courses})


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def course_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    course = (
        selectors.course_to_edit(acting_user=request.user, slug=slug)
        if slug
        else Course(language=request.user.language)
    )
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        saved = services.save_course(
            acting_user=request.user,
            course=form.save(commit=False),
            topics=form.cleaned_data["topics"],
        )
        messages.success(request, _("The course is saved."))
        return redirect("learning:editor_course", slug=saved.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/editor/course_form.html",
        {"form": form, "course": course if slug else None},
        status=status,
    )


@requires(TEACH)
@require_GET
@refusals_as_pages
def course_outline(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The course's outline, and its learners as the instructor may see them (R34)."""
    course = selectors.course_to_edit(acting_user=request.user, slug=slug)
    insight = course_insight(
        course=course, acting_user=request.user, page_number=request.GET.get("page")
    )
    return render(
        request,
        "learning/editor/course_outline.html",
        {
            "course": course,
            "modules": course.modules.prefetch_related("lessons"),
            "insight": insight,
            **_charts(insight),
        },
    )


def _charts(insight: CourseInsight) -> dict[str, BarChart | None]:
    """Lay out the page's charts from the figures that may be shown; the tables say the same."""

    def chart(values: list[tuple[str, int | None]]) -> BarChart | None:
        shown = [(label, value) for label, value in values if value is not None]
        return bar_chart(shown, label_every=1) if shown else None

    numbered = list(enumerate(insight.lessons, 1))
    return {
        "chart": chart([(str(number), figure.share) for number, figure in numbered]),
        "went_on_chart": chart(
            [(str(number), figure.went_on_share) for number, figure in numbered]
        ),
        "funnel_chart": chart([(str(step.label), step.figure.value) for step in insight.funnel]),
        "time_chart": chart(
            [
                (str(label), figure.value)
                for label, figure in zip(insight.time_labels, insight.times, strict=True)
            ]
        ),
    }


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def module_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    course = selectors.course_to_edit(acting_user=request.user, slug=slug)
    form = ModuleForm(request.POST or None, initial={"position": course.modules.count() + 1})
    if request.method == "POST" and form.is_valid():
        services.add_module(
            acting_user=request.user,
            course=course,
            title=form.cleaned_data["title"],
            position=form.cleaned_data["position"],
        )
        messages.success(request, _("The module is added."))
        return redirect("learning:editor_course", slug=course.slug)
    return render(
        request,
        "learning/editor/simple_form.html",
        {"form": form, "course": course, "title": _("New module")},
        status=400 if request.method == "POST" else 200,
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def lesson_edit(
    request: AuthenticatedHttpRequest, slug: str, lesson_id: int | None = None
) -> HttpResponse:
    course = selectors.course_to_edit(acting_user=request.user, slug=slug)
    lesson = selectors.lesson_to_edit(course=course, lesson_id=lesson_id) if lesson_id else Lesson()
    form = LessonForm(request.POST or None, request.FILES or None, instance=lesson, course=course)
    if request.method == "POST" and form.is_valid():
        # With the media type the form found in the file's content.
        services.save_lesson(acting_user=request.user, lesson=form.save(commit=False))
        messages.success(request, _("The lesson is saved."))
        return redirect("learning:editor_course", slug=course.slug)
    return render(
        request,
        "learning/editor/simple_form.html",
        {
            "form": form,
            "course": course,
            "title": lesson.title if lesson_id else _("New lesson"),
            "multipart": True,
            "lesson": lesson if lesson_id else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def course_news(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Write news to the course's learners, see it as they will, then send it (R18)."""
    course = selectors.course_to_edit(acting_user=request.user, slug=slug)
    form = CourseNewsForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            news.post_course_news(
                acting_user=request.user,
                course=course,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("The news is being sent to the course's learners."))
            return redirect("learning:editor_news", slug=course.slug)
        preview = form.cleaned_data
    return render(
        request,
        "learning/editor/course_news.html",
        {
            "course": course,
            "form": form,
            "preview": preview,
            "past": course.news.all()[:20],
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
