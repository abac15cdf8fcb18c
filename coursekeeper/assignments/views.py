"""Pages of the hand-in app: thin — parse, call a selector or service, render.

The learner's form sits on the lesson page (`lesson_part`); it posts here, and a hand-in the
form or the service refuses is shown on the lesson page again, with what was wrong.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.assignments import selectors, services
from coursekeeper.assignments.errors import AssignmentError
from coursekeeper.assignments.forms import HandInForm, ReviewForm
from coursekeeper.assignments.models import Submission
from coursekeeper.learning import kinds
from coursekeeper.learning import selectors as learning_selectors
from coursekeeper.learning.selectors import LessonPage
from coursekeeper.privacy.access.roles import TEACH, requires
from coursekeeper.web.refusals import refusals_as_pages, show_on_form

# Where a refused hand-in's bound form waits for the lesson page's part to show it.
_FORM_ATTRIBUTE = "handin_form"


def lesson_part(request: HttpRequest, page: LessonPage) -> dict[str, Any]:
    """Return the hand-in part of the lesson page: the learner's hand-ins and the form."""
    state = selectors.handin_state(learner=request.user, lesson_id=page.lesson_id)
    form = getattr(request, _FORM_ATTRIBUTE, None) or HandInForm()
    return {"state": state, "form": form}


@login_required
@require_POST
@refusals_as_pages
def hand_in(request: AuthenticatedHttpRequest, lesson_id: int) -> HttpResponse:
    lesson = selectors.handin_lesson(lesson_id)
    form = HandInForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.hand_in(
                learner=request.user,
                lesson=lesson,
                text=form.cleaned_data["text"],
                file=form.cleaned_data["file"],
            )
        except AssignmentError as refusal:
            if refusal.field_name is None:
                # About the hand-in as a whole (a restriction, one already waiting): the lesson
                # page may show no form to put it on, so it is the page.
                raise
            status = show_on_form(form, refusal)
        else:
            messages.success(
                request, _("Your exercise is handed in. You will hear when it is reviewed.")
            )
            return redirect("learning:lesson", lesson_id=lesson.pk)
    setattr(request, _FORM_ATTRIBUTE, form)
    page = learning_selectors.lesson_page(learner=request.user, lesson_id=lesson.pk)
    return render(
        request,
        "learning/lesson.html",
        {"page": page, **kinds.part_context(request, page)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
@refusals_as_pages
def own_file(request: AuthenticatedHttpRequest, submission_id: int) -> HttpResponseBase:
    """Serve a learner's own handed-in file back to them (anyone else's is not found)."""
    submission = selectors.own_submission(learner=request.user, submission_id=submission_id)
    return _serve(request, submission)


def _serve(request: HttpRequest, submission: Submission) -> HttpResponseBase:
    """Serve the file as the type its content was checked to be, always as a download."""
    from coursekeeper.web.ranges import ranged_file_response
    from coursekeeper.web.uploads import UNCHECKED_MEDIA_TYPE

    if not submission.file:
        raise AssignmentError("no_file")
    try:
        return ranged_file_response(
            request,
            file=submission.file,
            content_type=submission.file_type or UNCHECKED_MEDIA_TYPE,
            filename=submission.file_name,
            as_attachment=True,
        )
    except FileNotFoundError as missing:
        raise AssignmentError("no_file") from missing


@requires(TEACH)
@require_GET
@refusals_as_pages
def queue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    course = learning_selectors.course_to_edit(acting_user=request.user, slug=slug)
    return render(
        request,
        "assignments/queue.html",
        {
            "course": course,
            "queue": selectors.review_queue(acting_user=request.user, course=course),
        },
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def review(request: AuthenticatedHttpRequest, slug: str, submission_id: int) -> HttpResponse:
    course = learning_selectors.course_to_edit(acting_user=request.user, slug=slug)
    opened = selectors.submission_for_review(
        acting_user=request.user, course=course, submission_id=submission_id
    )
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.review_submission(
                    acting_user=request.user,
                    submission=opened.submission,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except AssignmentError as refusal:
                status = show_on_form(form, refusal)
            else:
                messages.success(request, _("The review is saved and the learner is told."))
                return redirect("assignments:queue", slug=course.slug)
    return render(
        request,
        "assignments/review.html",
        {"course": course, "opened": opened, "form": form},
        status=status,
    )


@requires(TEACH)
@require_http_methods(["GET", "HEAD"])
@refusals_as_pages
def review_file(
    request: AuthenticatedHttpRequest, slug: str, submission_id: int
) -> HttpResponseBase:
    course = learning_selectors.course_to_edit(acting_user=request.user, slug=slug)
    opened = selectors.submission_for_review(
        acting_user=request.user,
        course=course,
        submission_id=submission_id,
        place="assignments:review_file",
    )
    return _serve(request, opened.submission)
