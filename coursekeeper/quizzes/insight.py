"""Where learners struggle in a quiz (R6, R34): the share of right answers per question.

The instructor sees figures about groups only, never a learner: for each question, how many
learners answered it in a submitted attempt and what share of those answers was right. A
question answered by fewer learners than the owner's smallest group
(`ProviderSettings.min_group_size`) shows no figure, as in `learning.insight`. Counting learners
rather than answers keeps one learner's many attempts from making a group look big enough.

The learners the gate refuses course statistics for (who objected to them, restricted
processing, or are being erased) are left out, by the same subquery the course's own figures
use (`learning.insight.excluded_learner_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from coursekeeper.learning.insight import excluded_learner_ids
from coursekeeper.quizzes.models import Answer, Question, Quiz


@dataclass(frozen=True)
class QuestionFigure:
    number: int
    question: Question
    learners: int
    shown: bool
    answers: int
    right: int

    @property
    def share(self) -> int | None:
        """Return the percent of right answers, when the figure may be shown."""
        if not self.shown or not self.answers:
            return None
        return round(100 * self.right / self.answers)


@dataclass(frozen=True)
class QuizInsight:
    threshold: int
    questions: list[QuestionFigure]


def quiz_insight(*, quiz: Quiz) -> QuizInsight:
    """Return the per-question figures of `quiz` over its submitted attempts."""
    from coursekeeper.privacy.models import ProviderSettings

    threshold = ProviderSettings.objects.values_list("min_group_size", flat=True).first() or 5
    answers = Answer.objects.filter(attempt__quiz=quiz, attempt__submitted_at__isnull=False)
    answers = answers.exclude(attempt__learner_id__in=excluded_learner_ids())
    counted = {
        row["question_id"]: row
        for row in answers.values("question_id")
        .annotate(
            learners=Count("attempt__learner", distinct=True),
            answers=Count("pk"),
            right=Count("pk", filter=Q(is_correct=True)),
        )
        .order_by()
    }
    figures = []
    for number, question in enumerate(quiz.questions.order_by("position", "pk"), 1):
        row = counted.get(question.pk, {"learners": 0, "answers": 0, "right": 0})
        figures.append(
            QuestionFigure(
                number=number,
                question=question,
                learners=row["learners"],
                shown=row["learners"] >= threshold,
                answers=row["answers"],
                right=row["right"],
            )
        )
    return QuizInsight(threshold=threshold, questions=figures)
