"""Forms of the learning app: free material, and the course editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coursekeeper.learning.models import Course, Lesson, Module


class MaterialRequestForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ("title", "slug", "summary", "description", "language", "topics", "is_published")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "topics": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "slug": _("The course's address: lower-case letters, digits and hyphens."),
            "language": _("The language the course is taught in."),
        }


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ("title", "position")


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = (
            "module",
            "title",
            "kind",
            "body",
            "media",
            "duration_seconds",
            "release_after_days",
            "release_on",
            "is_free_sample",
            "position",
        )
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "release_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.all()

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in (Lesson.Kind.VIDEO, Lesson.Kind.FILE) and not (
            cleaned.get("media") or self.instance.media
        ):
            self.add_error("media", _("A video or file lesson needs its file."))
        if kind == Lesson.Kind.VIDEO and not cleaned.get("duration_seconds"):
            self.add_error("duration_seconds", _("Give the video's length in seconds."))
        return cleaned
