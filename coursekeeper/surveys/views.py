"""The surveys app's pages: answering (posted from the lesson page) and the instructor's side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.learning import selectors as learning_selectors
from coursekeeper.privacy.access.roles import TEACH, requires
from coursekeeper.surveys import selectors, services
from coursekeeper.surveys.errors import SurveyError
from coursekeeper.surveys.forms import AnswerForm, QuestionForm, SurveySettingsForm
from coursekeeper.surveys.models import Survey, SurveyQuestion
from coursekeeper.web.refusals import refusals_as_pages, show_on_form


@login_required
@require_POST
@refusals_as_pages
def answer(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Take a learner's answers; on a refusal about an answer, show the lesson page again.

    Nothing here logs the request or who sent it, and a POST is not a counted page view.
    """
    survey = selectors.survey_of(lesson_id)
    if survey is None:
        raise SurveyError("survey_not_found")
    form = AnswerForm(request.POST, survey=survey)
    status = 400
    if form.is_valid():
        try:
            services.answer_survey(
                learner=request.user, lesson=survey.lesson, answers=form.answers()
            )
        except SurveyError as refusal:
            if refusal.field_name is None:
                raise
            status = show_on_form(form, refusal)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("learning:lesson", lesson_id=lesson_id)
    page = learning_selectors.lesson_page(learner=request.user, lesson_id=lesson_id)
    part = {
        "template": "surveys/lesson_part.html",
        **selectors.lesson_part(request, page, form=form),
    }
    return render(
        request,
        "learning/lesson.html",
        {"page": page, "part": part, "done_by_hand": False},
        status=status,
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def edit(request: AuthenticatedHttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """The survey's settings and its questions, for the course's instructor."""
    lesson = selectors.survey_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    survey = Survey.objects.filter(lesson=lesson).first()
    settings_form = SurveySettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        instance=survey or Survey(lesson=lesson),
    )
    question_form = QuestionForm(
        request.POST if request.POST.get("form") == "question" else None,
        initial={"required": True},
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if settings_form.is_bound and settings_form.is_valid():
                services.save_survey(
                    acting_user=request.user,
                    lesson=lesson,
                    is_anonymous=settings_form.cleaned_data["is_anonymous"],
                    intro=settings_form.cleaned_data["intro"],
                )
                messages.success(request, _("The survey is saved."))
                return redirect("surveys:edit", slug=slug, lesson_id=lesson_id)
            if question_form.is_bound and question_form.is_valid():
                data = question_form.cleaned_data
                if survey is None:
                    survey = services.save_survey(
                        acting_user=request.user, lesson=lesson, is_anonymous=True, intro=""
                    )
                services.add_question(
                    acting_user=request.user,
                    survey=survey,
                    kind=data["kind"],
                    text=data["text"],
                    required=data["required"],
                    options=data["options"].splitlines(),
                    low_label=data["low_label"],
                    high_label=data["high_label"],
                )
                messages.success(request, _("The question is added."))
                return redirect("surveys:edit", slug=slug, lesson_id=lesson_id)
        except SurveyError as refusal:
            status = show_on_form(
                settings_form if settings_form.is_bound else question_form, refusal
            )
    return render(
        request,
        "surveys/edit.html",
        {
            "lesson": lesson,
            "course": lesson.module.course,
            "survey": survey,
            "questions": survey.questions.prefetch_related("options") if survey else [],
            "settings_form": settings_form,
            "question_form": question_form,
        },
        status=status,
    )


@requires(TEACH)
@require_POST
@refusals_as_pages
def remove_question(
    request: AuthenticatedHttpRequest, slug: str, lesson_id: int, question_id: int
) -> HttpResponse:
    lesson = selectors.survey_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    question = SurveyQuestion.objects.filter(pk=question_id, survey__lesson=lesson).first()
    if question is None:
        raise SurveyError("question_not_found")
    services.remove_question(acting_user=request.user, question=question)
    messages.success(request, _("The question is removed."))
    return redirect("surveys:edit", slug=slug, lesson_id=lesson_id)


@requires(TEACH)
@require_GET
@refusals_as_pages
def results(request: AuthenticatedHttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    lesson = selectors.survey_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    survey = Survey.objects.filter(lesson=lesson).first()
    if survey is None:  # nothing built yet: build it first
        return redirect("surveys:edit", slug=slug, lesson_id=lesson_id)
    found = selectors.survey_results(acting_user=request.user, survey=survey)
    return render(
        request,
        "surveys/results.html",
        {"lesson": lesson, "course": lesson.module.course, "results": found},
    )
