"""The surveys app's forms: a learner's answers, and the instructor's survey and questions.

The answer form only parses what was posted; which answers are required and which choices
belong to a question is `services.checked_answers`'s to decide, so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.surveys.models import Survey, SurveyQuestion


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One optional field per question, named `q<id>` (see the module docstring)."""

    def __init__(self, *args, survey: Survey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.prefetch_related("options"))
        for question in self.questions:
            name = field_name(question)
            choices = [(str(option.pk), option.text) for option in question.options.all()]
            if question.kind == SurveyQuestion.Kind.SCALE:
                self.fields[name] = forms.TypedChoiceField(
                    choices=[(str(n), str(n)) for n in range(1, 6)],
                    coerce=int,
                    required=False,
                    empty_value=None,
                )
            elif question.kind == SurveyQuestion.Kind.SINGLE:
                self.fields[name] = forms.TypedChoiceField(
                    choices=choices, coerce=int, required=False, empty_value=None
                )
            elif question.kind == SurveyQuestion.Kind.MULTIPLE:
                self.fields[name] = forms.TypedMultipleChoiceField(
                    choices=choices, coerce=int, required=False
                )
            else:
                self.fields[name] = forms.CharField(max_length=5000, required=False)
            self.fields[name].label = question.text

    def answers(self) -> dict[int, Any]:
        """Return question id -> the value given, for `services.answer_survey`."""
        return {
            question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions
        }

    def items(self) -> list[dict[str, Any]]:
        """Return what the template draws for each question, with what was sent and its errors."""
        items = []
        for question in self.questions:
            name = field_name(question)
            bound = self[name]
            raw = self.data.getlist(name) if self.is_bound and hasattr(self.data, "getlist") else []
            items.append(
                {
                    "question": question,
                    "name": name,
                    "errors": list(bound.errors),
                    "chosen": [str(value) for value in raw],
                    "text": raw[0] if raw else "",
                    "scale": [str(n) for n in range(1, 6)],
                }
            )
        return items


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["is_anonymous", "intro"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyQuestion.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For one or several choices: one choice per line."),
    )
    low_label = forms.CharField(
        label=_("Label of 1 on the scale"),
        max_length=60,
        required=False,
        help_text=_("For a scale, e.g. “Not at all”."),
    )
    high_label = forms.CharField(
        label=_("Label of 5 on the scale"),
        max_length=60,
        required=False,
        help_text=_("For a scale, e.g. “Very much”."),
    )
