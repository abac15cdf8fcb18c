"""Forms of the quiz editor: a quiz's rules, and one question with its choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.quizzes.models import Question, Quiz
from coursekeeper.quizzes.services import ChoiceDraft

CHOICE_SLOTS = 6


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = [
            "pass_mark",
            "attempts_allowed",
            "time_limit_minutes",
            "draw_count",
            "score_kept",
            "feedback",
            "feedback_from",
        ]
        widgets = {"feedback_from": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("feedback") == Quiz.Feedback.AFTER_DATE and not cleaned.get("feedback_from"):
            self.add_error(
                "feedback_from", _("Say from when the feedback is shown, or show it right away.")
            )
        return cleaned


class QuestionForm(forms.ModelForm):
    """A question and up to `CHOICE_SLOTS` choices; a choice left without text is dropped."""

    class Meta:
        model = Question
        fields = [
            "kind",
            "text",
            "points",
            "position",
            "explanation",
            "statement_is_true",
            "accepted_answers",
            "number",
            "tolerance",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
            "accepted_answers": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = (
            list(self.instance.choices.order_by("position", "pk")) if self.instance.pk else []
        )
        self.slots = []
        for index in range(1, CHOICE_SLOTS + 1):
            choice = existing[index - 1] if index <= len(existing) else None
            names = (f"choice_{index}_text", f"choice_{index}_correct", f"choice_{index}_feedback")
            self.fields[names[0]] = forms.CharField(
                label=_("Choice %(number)s") % {"number": index},
                max_length=500,
                required=False,
                initial=choice.text if choice else "",
            )
            self.fields[names[1]] = forms.BooleanField(
                label=_("Choice %(number)s is right") % {"number": index},
                required=False,
                initial=choice.is_correct if choice else False,
            )
            self.fields[names[2]] = forms.CharField(
                label=_("Feedback on choice %(number)s") % {"number": index},
                max_length=500,
                required=False,
                initial=choice.feedback if choice else "",
            )
            self.slots.append([self[name] for name in names])

    def question_fields(self):
        return [field for field in self if not field.name.startswith("choice_")]

    def choices(self) -> list[ChoiceDraft]:
        return [
            ChoiceDraft(
                text=self.cleaned_data[f"choice_{index}_text"].strip(),
                is_correct=self.cleaned_data[f"choice_{index}_correct"],
                feedback=self.cleaned_data[f"choice_{index}_feedback"].strip(),
            )
            for index in range(1, CHOICE_SLOTS + 1)
            if self.cleaned_data.get(f"choice_{index}_text", "").strip()
        ]

    def clean(self):
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and not self.errors:
            choices = self.choices()
            right = sum(choice.is_correct for choice in choices)
            if len(choices) < 2:
                self.add_error("choice_1_text", _("Give at least two choices."))
            elif kind == Question.Kind.SINGLE and right != 1:
                self.add_error("choice_1_correct", _("Mark exactly one choice as right."))
            elif kind == Question.Kind.MULTIPLE and right < 1:
                self.add_error("choice_1_correct", _("Mark at least one choice as right."))
        if kind == Question.Kind.SHORT_TEXT and not (cleaned.get("accepted_answers") or "").strip():
            self.add_error("accepted_answers", _("Give at least one accepted answer."))
        if kind == Question.Kind.NUMBER and cleaned.get("number") is None:
            self.add_error("number", _("Give the right number."))
        return cleaned
