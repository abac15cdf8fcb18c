"""Pages of the learning app: thin — parse, call a selector or service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.commerce import selectors as commerce_selectors
from coursekeeper.learning import kinds, news, selectors, services
from coursekeeper.learning.errors import LearningError
from coursekeeper.learning.forms import MaterialRequestForm
from coursekeeper.learning.models import MATERIAL_LINK_VALID_FOR, MaterialRequest
from coursekeeper.web.refusals import refusals_as_pages


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    topic = request.GET.get("topic", "")[:50]
    language = request.GET.get("language", "")[:8]
    return render(
        request,
        "learning/catalogue.html",
        {
            "courses": selectors.catalogue(text=text, topic=topic, language=language),
            "topics": selectors.topics(),
            "query": text,
            "topic": topic,
            "language": language,
        },
    )


@require_GET
@refusals_as_pages
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.published_course(slug)
    outline = selectors.course_outline(course=course, learner=request.user)
    # A course sold by an active product shows its price and a "Buy" link, not "Enrol".
    offer = commerce_selectors.course_offer(course)
    return render(
        request,
        "learning/course.html",
        {
            "course": course,
            "outline": outline,
            "offer": offer,
            "news": news.past_news(course) if outline.enrollment else [],
        },
    )


@login_required
@require_POST
@refusals_as_pages
def enroll(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.published_course(slug)
    if commerce_selectors.course_is_for_sale(course):
        raise LearningError("course_for_sale")
    services.enroll_learner(learner=request.user, course=course)
    messages.success(request, _("You are enrolled. Welcome to the course!"))
    return redirect("learning:course", slug=course.slug)


@login_required
@require_GET
@refusals_as_pages
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    page = selectors.lesson_page(learner=request.user, lesson_id=lesson_id)
    if not page.opened_before:  # one write on the first visit only, never on later views
        services.note_lesson_opened(learner=request.user, lesson_id=page.lesson_id)
    return render(
        request, "learning/lesson.html", {"page": page, **kinds.part_context(request, page)}
    )


@login_required
@require_POST
@refusals_as_pages
def complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    current = selectors.lesson_by_id(lesson_id)
    services.complete_lesson(learner=request.user, lesson=current)
    messages.success(request, _("Lesson marked as done."))
    outline = selectors.course_outline(course=current.module.course, learner=request.user)
    following = outline.next_lesson()
    if following is not None:
        return redirect("learning:lesson", lesson_id=following.lesson.pk)
    return redirect("learning:course", slug=current.module.course.slug)


@login_required
@require_http_methods(["GET", "HEAD"])
@refusals_as_pages
def lesson_media(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    """Serve a lesson's video or file to an enrolled learner, with HTTP Range (seeking)."""
    current = selectors.lesson_by_id(lesson_id)
    services.open_lesson_for(learner=request.user, lesson=current)
    if not current.media:
        raise LearningError("no_file")
    return _serve(request, current)


def _serve(request: HttpRequest, current) -> HttpResponseBase:
    """Serve the lesson's file as the type its content was checked to be, never one guessed.

    `ranged_file_response` decides from that type whether the file may be shown inline.
    """
    from coursekeeper.web.ranges import ranged_file_response
    from coursekeeper.web.uploads import UNCHECKED_MEDIA_TYPE

    name = current.media.name.rsplit("/", 1)[-1]
    try:
        return ranged_file_response(
            request,
            file=current.media,
            content_type=current.media_type or UNCHECKED_MEDIA_TYPE,
            filename=name,
            as_attachment=current.kind == current.Kind.FILE,
        )
    except FileNotFoundError as missing:  # the row names a file the storage no longer has
        raise LearningError("no_file") from missing


@require_POST
def save_progress(request: HttpRequest) -> HttpResponse:
    """JSON: {"lesson": id, "position_seconds": float, "completed": bool} (R5).

    CSRF is checked by the middleware (the X-CSRFToken header); answers 204 or a 4xx with
    {"error": message}, and a refused request changes nothing.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Please sign in.")}, status=401)
    try:
        payload = json.loads(request.body or b"{}")
        lesson_id = int(payload["lesson"])
        position = float(payload["position_seconds"])
        completed = bool(payload.get("completed", False))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": str(LearningError("bad_request").message)}, status=400)
    try:
        services.record_position(
            learner=request.user,
            lesson_id=lesson_id,
            position_seconds=position,
            completed=completed,
        )
    except LearningError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return HttpResponse(status=204)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "learning/dashboard.html", {"courses": selectors.dashboard(learner=request.user)}
    )


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def free_material(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Free material for a name and an email address: the link goes to that address (R4)."""
    current = selectors.lesson_by_id(lesson_id)
    if not current.is_free_sample:
        raise LearningError("lesson_not_found")
    form = MaterialRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_free_material(
            lesson=current,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return render(request, "learning/material_sent.html", {"lesson": current})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "learning/material.html", {"lesson": current, "form": form}, status=status
    )


@require_http_methods(["GET", "HEAD"])
@refusals_as_pages
def material_download(request: HttpRequest, token: str) -> HttpResponseBase:
    material = (
        MaterialRequest.objects.select_related("lesson")
        .filter(token=token, link_sent_at__gte=timezone.now() - MATERIAL_LINK_VALID_FOR)
        .first()
    )
    if material is None or not material.lesson.media:
        raise LearningError("link_expired")
    return _serve(request, material.lesson)


@login_required
@require_POST
@refusals_as_pages
def news_setting(request: HttpRequest, slug: str) -> HttpResponse:
    """Switch the course's news by email on or off for the signed-in learner (R18)."""
    course = selectors.published_course(slug)
    receives = request.POST.get("receives") == "1"
    news.set_receives_course_news(learner=request.user, course=course, receives=receives)
    if receives:
        messages.success(request, _("You get this course's news by email."))
    else:
        messages.success(request, _("You no longer get this course's news by email."))
    return redirect("learning:course", slug=course.slug)


@require_http_methods(["GET", "POST"])
@refusals_as_pages
def news_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in each news email: a button that switches the course's news off, no sign-in."""
    enrollment = news.enrollment_for_token(token)
    done = False
    if request.method == "POST":
        enrollment = news.unsubscribe_from_news(token=token)
        done = True
    return render(
        request,
        "learning/news_unsubscribe.html",
        {"course": enrollment.course, "done": done, "token": token},
    )
