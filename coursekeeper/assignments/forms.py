"""The hand-in form on the lesson page and the instructor's review form."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coursekeeper.assignments import services
from coursekeeper.assignments.models import Submission
from coursekeeper.web import uploads

_limit = lazy(lambda: filesizeformat(services.max_file_bytes()), str)


class HandInForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=_("File (optional)"),
        required=False,
        help_text=format_lazy(
            _("At most {limit}. Allowed are: {kinds}."),
            limit=_limit(),
            kinds=uploads.allowed_kinds(),
        ),
    )

    def clean_file(self):
        """Refuse a file too large or not allowed, judged by its content (`web.uploads`)."""
        file = self.cleaned_data.get("file")
        if file:
            services.check_file(file)
        return file

    def clean(self):
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("text") or "").strip() and not cleaned.get("file"):
            self.add_error("text", _("Write an answer or choose a file to hand in."))
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your verdict"),
        choices=[
            (Submission.Status.PASSED, _("Passed")),
            (Submission.Status.TO_REDO, _("To redo")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment for the learner"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Needed when the exercise must be redone: say what to change."),
    )
