"""Pages of the quizzes app: taking a quiz, its result, and the quiz editor. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coursekeeper.accounts.http import AuthenticatedHttpRequest
from coursekeeper.privacy.access.roles import TEACH, requires
from coursekeeper.quizzes import insight, selectors, services
from coursekeeper.quizzes.forms import QuestionForm, QuizForm
from coursekeeper.quizzes.models import Question, Quiz
from coursekeeper.web.charts import bar_chart
from coursekeeper.web.refusals import refusals_as_pages


@login_required
@require_POST
@refusals_as_pages
def start(request: HttpRequest, lesson_id: int) -> HttpResponse:
    quiz = selectors.quiz_for_lesson(lesson_id)
    attempt = services.start_attempt(learner=request.user, quiz=quiz)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt's one form (GET); submitting it grades it on the server (POST)."""
    if request.method == "POST":
        sheet = selectors.attempt_to_take(learner=request.user, attempt_id=attempt_id)
        answers = {
            item.question.pk: request.POST.getlist(item.input_name) for item in sheet.questions
        }
        # Sent too late, the answers are refused and the attempt closed: the result page says so.
        closed = services.submit_attempt(
            learner=request.user, attempt_id=attempt_id, answers=answers
        )
        return redirect("quizzes:result", attempt_id=closed.pk)
    sheet = selectors.attempt_to_take(learner=request.user, attempt_id=attempt_id)
    return render(request, "quizzes/attempt.html", {"sheet": sheet})


@login_required
@require_GET
@refusals_as_pages
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    outcome = selectors.attempt_result(learner=request.user, attempt_id=attempt_id)
    return render(request, "quizzes/result.html", {"result": outcome})


# --- The quiz editor ------------------------------------------------------------------------------


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def edit_quiz(request: AuthenticatedHttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """A quiz lesson's rules and its list of questions."""
    course, lesson = selectors.quiz_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    quiz = Quiz.objects.filter(lesson=lesson).first() or Quiz(lesson=lesson)
    form = QuizForm(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        services.save_quiz(acting_user=request.user, quiz=form.save(commit=False))
        messages.success(request, _("The quiz is saved."))
        return redirect("quizzes:editor_quiz", slug=course.slug, lesson_id=lesson.pk)
    return render(
        request,
        "quizzes/editor/quiz.html",
        {
            "course": course,
            "lesson": lesson,
            "quiz": quiz if quiz.pk else None,
            "questions": quiz.questions.all() if quiz.pk else [],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(TEACH)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def edit_question(
    request: AuthenticatedHttpRequest, slug: str, lesson_id: int, question_id: int | None = None
) -> HttpResponse:
    course, lesson = selectors.quiz_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    quiz = selectors.quiz_for_lesson(lesson.pk)
    if question_id is not None:
        question = selectors.question_to_edit(quiz=quiz, question_id=question_id)
    else:
        question = Question(quiz=quiz, position=quiz.questions.count() + 1)
    if request.method == "POST" and "delete" in request.POST and question.pk:
        services.delete_question(acting_user=request.user, question=question)
        messages.success(request, _("The question is deleted."))
        return redirect("quizzes:editor_quiz", slug=course.slug, lesson_id=lesson.pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.save_question(
            acting_user=request.user, question=form.save(commit=False), choices=form.choices()
        )
        messages.success(request, _("The question is saved."))
        return redirect("quizzes:editor_quiz", slug=course.slug, lesson_id=lesson.pk)
    return render(
        request,
        "quizzes/editor/question.html",
        {"course": course, "lesson": lesson, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires(TEACH)
@require_GET
@refusals_as_pages
def quiz_results(request: AuthenticatedHttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """How each question went, in figures about groups only (R6, R34)."""
    course, lesson = selectors.quiz_lesson_to_edit(
        acting_user=request.user, slug=slug, lesson_id=lesson_id
    )
    quiz = selectors.quiz_for_lesson(lesson.pk)
    figures = insight.quiz_insight(quiz=quiz)
    shares = [(str(f.number), f.share) for f in figures.questions if f.share is not None]
    return render(
        request,
        "quizzes/editor/results.html",
        {
            "course": course,
            "lesson": lesson,
            "insight": figures,
            "chart": bar_chart(shares, label_every=1) if shares else None,
        },
    )
