"""Forms of the learning app: free material, and the course editor."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coursekeeper.cookies.video import parse_video_url
from coursekeeper.learning.models import Course, Lesson, Module
from coursekeeper.web import uploads

# What a video lesson's player can play: a video, or a recording of sound alone.
PLAYABLE = (uploads.Category.VIDEO, uploads.Category.AUDIO)


class CourseNewsForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Sent as plain text to every learner of the course who gets its news."),
    )


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
    # Stored as the provider and the video's id (`clean_video_url`), never as typed.
    video_url = forms.CharField(
        label=_("Video on YouTube or Vimeo"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text=_(
            "The address of the video's page, such as https://www.youtube.com/watch?v=… or "
            "https://vimeo.com/…. It is shown above the lesson's text, and only loads once the "
            "learner allows marketing cookies; until then they see a notice and a link."
        ),
    )

    field_order = ("module", "title", "kind", "body", "media", "video_url")

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
            "media": forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{ext}" for ext in sorted(uploads.ALLOWED_EXTENSIONS))}
            ),
        }
        help_texts = {
            "media": format_lazy(_("Allowed are: {kinds}."), kinds=uploads.allowed_kinds()),
        }

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["module"]).queryset = course.modules.all()
        embedded = self.instance.embedded_video
        if embedded is not None and not self.is_bound:
            self.initial["video_url"] = embedded.watch_url

    def clean_video_url(self) -> str:
        """Refuse an address that is not a YouTube or Vimeo video; keep its provider and id."""
        address = self.cleaned_data.get("video_url", "").strip()
        embedded = parse_video_url(address) if address else None
        if address and embedded is None:
            raise forms.ValidationError(
                _(
                    "This is not the address of a video on YouTube or Vimeo. Copy the address "
                    "of the video's own page, such as https://www.youtube.com/watch?v=… or "
                    "https://vimeo.com/…."
                ),
                code="not_a_video",
            )
        self.instance.embed_provider = embedded.code if embedded else ""
        self.instance.embed_video_id = embedded.video_id if embedded else ""
        return embedded.watch_url if embedded else ""

    def clean_media(self):
        """Refuse a new file unless its content is an allowed kind that its name agrees with.

        The lesson's media type becomes the type found in the content; what the browser said the
        file was is ignored.
        """
        media = self.cleaned_data.get("media")
        if isinstance(media, UploadedFile):
            self.instance.media_type = uploads.identify(media, name=media.name or "").media_type
        elif media is False:  # "Clear" ticked, no new file
            self.instance.media_type = ""
        return media

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        kind = cleaned.get("kind")
        if "media" in self.errors:
            pass  # the file was refused, and that error says why
        elif kind in (Lesson.Kind.VIDEO, Lesson.Kind.FILE) and not cleaned.get("media"):
            self.add_error("media", _("A video or file lesson needs its file."))
        elif kind == Lesson.Kind.VIDEO and not self._media_is_playable():
            self.add_error(
                "media",
                _("A video lesson needs a video or audio file. Allowed are: %(kinds)s.")
                % {"kinds": uploads.extensions_of(*PLAYABLE)},
            )
        if kind == Lesson.Kind.VIDEO and not cleaned.get("duration_seconds"):
            self.add_error("duration_seconds", _("Give the video's length in seconds."))
        return cleaned

    def _media_is_playable(self) -> bool:
        # The type checked at upload (set by clean_media), or the one stored with the file.
        return uploads.category_of(self.instance.media_type) in PLAYABLE
