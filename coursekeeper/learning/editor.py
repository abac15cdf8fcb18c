"""The course editor: instructors create and change their courses, modules and lessons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.learning import services
from coursekeeper.learning.forms import CourseForm, LessonForm, ModuleForm
from coursekeeper.learning.insight import course_insight
from coursekeeper.learning.models import Course, Lesson
from coursekeeper.privacy.access.roles import TEACH, TEACH_ANY_COURSE, can, requires
from coursekeeper.web.charts import bar_chart


def _own_course(request: HttpRequest, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if not can(request.user, TEACH, course):
        raise PermissionDenied
    return course


@requires(TEACH)
@require_GET
def course_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    courses = Course.objects.order_by("title")
    if not can(request.user, TEACH_ANY_COURSE):
        courses = courses.filter(instructor=request.user)
    return render(request, "learning/editor/course_list.html", {"courses": courses})


@requires(TEACH)
@require_http_methods(["GET", "POST"])
def course_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    course = _own_course(request, slug) if slug else Course(language=request.user.language)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = services.save_course(course=form.save(commit=False), acting_user=request.user)
            form.save_m2m()
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
def course_outline(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's outline, and its learners as the instructor may see them (R34)."""
    course = _own_course(request, slug)
    insight = course_insight(
        course=course, acting_user=request.user, page_number=request.GET.get("page")
    )
    shares = [
        (str(number), figure.share)
        for number, figure in enumerate(insight.lessons, 1)
        if figure.share is not None
    ]
    return render(
        request,
        "learning/editor/course_outline.html",
        {
            "course": course,
            "modules": course.modules.prefetch_related("lessons"),
            "insight": insight,
            "chart": bar_chart(shares, label_every=1) if shares else None,
        },
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
def module_add(request: HttpRequest, slug: str) -> HttpResponse:
    course = _own_course(request, slug)
    form = ModuleForm(request.POST or None, initial={"position": course.modules.count() + 1})
    if request.method == "POST" and form.is_valid():
        module = form.save(commit=False)
        module.course = course
        module.save()
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
def lesson_edit(request: HttpRequest, slug: str, lesson_id: int | None = None) -> HttpResponse:
    course = _own_course(request, slug)
    lesson = (
        get_object_or_404(Lesson, pk=lesson_id, module__course=course) if lesson_id else Lesson()
    )
    form = LessonForm(request.POST or None, request.FILES or None, instance=lesson, course=course)
    if request.method == "POST" and form.is_valid():
        form.save()  # with the media type the form found in the file's content
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
        },
        status=400 if request.method == "POST" else 200,
    )
