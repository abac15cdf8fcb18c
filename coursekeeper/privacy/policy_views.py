"""The privacy policy's pages: the policy, its versions and their comparison, the cookie policy,
and the staff page that publishes a version (R21, R41, R42)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from html.parser import HTMLParser

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy import policy, publishing
from coursekeeper.privacy.access.roles import PUBLISH_POLICY, requires
from coursekeeper.privacy.models import PolicyVersion
from coursekeeper.privacy.policy_announcements import hide_policy_notice, pending_changes
from coursekeeper.web.refusals import refusals_as_pages, show_on_form


def _language() -> str:
    language = (translation.get_language() or "en")[:2]
    return language if language in policy.POLICY_LANGUAGES else "en"


def _text(texts: dict[str, str]) -> str:
    """Return the stored text in the visitor's language, or English, as trusted HTML."""
    # The texts were rendered by our own templates, with every value escaped, when published.
    return mark_safe(texts.get(_language()) or texts.get("en") or "")  # noqa: S308


@require_http_methods(["GET"])
def policy_page(request: HttpRequest) -> HttpResponse:
    """The privacy policy in effect, in the visitor's language; the live one before any."""
    version = publishing.version_in_effect()
    pending = pending_changes()
    if version is not None:
        text = _text(version.texts)
    else:
        text = mark_safe(policy.render_policy(policy.current_content(), _language()))  # noqa: S308
    return render(
        request,
        "privacy/policy/page.html",
        {"version": version, "pending": pending, "text": text},
    )


@login_required
@require_http_methods(["POST"])
def hide_pending_change(request: HttpRequest) -> HttpResponse:
    """Hide the notice of a pending policy version from the person's pages, then go back."""
    number = request.POST.get("version", "")
    if number.isdigit():
        hide_policy_notice(user=request.user, version_number=int(number))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:home")
    return redirect(target)


@require_http_methods(["GET"])
def cookie_policy(request: HttpRequest) -> HttpResponse:
    """The cookie policy of the version in effect, or the live one before any."""
    version = publishing.version_in_effect()
    if version is not None and version.cookie_texts:
        text = _text(version.cookie_texts)
    else:
        text = mark_safe(  # noqa: S308
            policy.render_cookie_policy(policy.current_content(), _language())
        )
    return render(request, "privacy/policy/cookies.html", {"version": version, "text": text})


@require_http_methods(["GET"])
def versions(request: HttpRequest) -> HttpResponse:
    """Every published version, newest first, with links to read and compare them."""
    rows = list(PolicyVersion.objects.order_by("-number").defer("content", "texts", "cookie_texts"))
    in_effect = publishing.version_in_effect()
    lines = []
    for index, version in enumerate(rows):
        before = rows[index + 1] if index + 1 < len(rows) else None
        lines.append(
            {
                "version": version,
                "previous": before,
                "current": in_effect is not None and version.pk == in_effect.pk,
                "upcoming": version.effective_at > timezone.now(),
                "changes": len(version.changes),
            }
        )
    return render(request, "privacy/policy/versions.html", {"lines": lines})


@require_http_methods(["GET"])
def version_page(request: HttpRequest, number: int) -> HttpResponse:
    """One published version's text, as it was published."""
    version = get_object_or_404(PolicyVersion, number=number)
    return render(
        request,
        "privacy/policy/version.html",
        {
            "version": version,
            "text": _text(version.texts),
            "previous": PolicyVersion.objects.filter(number__lt=number).order_by("-number").first(),
        },
    )


# --- Comparing two versions ---------------------------------------------------------------------

BLOCKS = {"p", "li", "h2", "h3", "dt", "dd", "tr", "caption", "article", "section", "ul", "dl"}
CELLS = {"td", "th"}


class _TextLines(HTMLParser):
    """Turn a policy text into readable lines: one per paragraph, item, heading or table row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.cells: list[str] | None = None

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._flush()
            self.cells = []
        elif tag in CELLS and self.cells is not None:
            self.current = []
        elif tag in BLOCKS:
            self._flush()
        elif tag == "br":
            self.current.append(" ")

    def handle_endtag(self, tag):
        if tag in CELLS and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr":
            if self.cells:
                self.lines.append(" | ".join(cell for cell in self.cells))
            self.cells = None
            self.current = []
        elif tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        self.current.append(data)


def text_lines(html: str) -> list[str]:
    parser = _TextLines()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def line_diff(old_html: str, new_html: str) -> list[DiffLine]:
    """Return the two texts' lines, each marked as kept, added or removed."""
    old, new = text_lines(old_html), text_lines(new_html)
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            lines.extend(DiffLine("same", text) for text in old[old_start:old_end])
            continue
        lines.extend(DiffLine("removed", text) for text in old[old_start:old_end])
        lines.extend(DiffLine("added", text) for text in new[new_start:new_end])
    return lines


@require_http_methods(["GET"])
def version_diff(request: HttpRequest, old: int, new: int) -> HttpResponse:
    """What changed between two versions: the list of changes, then the text line by line."""
    if old == new:
        raise Http404
    first = get_object_or_404(PolicyVersion, number=old)
    second = get_object_or_404(PolicyVersion, number=new)
    changes = [
        change.as_dict() for change in publishing.diff_content(first.content, second.content)
    ]
    language = _language()
    lines = line_diff(
        first.texts.get(language) or first.texts.get("en", ""),
        second.texts.get(language) or second.texts.get("en", ""),
    )
    return render(
        request,
        "privacy/policy/diff.html",
        {
            "first": first,
            "second": second,
            "material": [publishing.describe_change(c) for c in changes if c["material"]],
            "other": [publishing.describe_change(c) for c in changes if not c["material"]],
            "lines": lines,
            "changed": sum(1 for line in lines if line.kind != "same"),
        },
    )


# --- Staff: preview and publish -----------------------------------------------------------------


class PublishForm(forms.Form):
    effective_date = forms.DateField(
        label=gettext_lazy("Takes effect on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Leave empty for the earliest date allowed: today, or four weeks from today when "
            "a change is material."
        ),
    )


def _effective_at(day: dt.date | None, earliest: dt.datetime) -> dt.datetime | None:
    """Return when a version picked for `day` takes effect: the day's start, or `earliest`
    when that is on the same day."""
    if day is None:
        return None
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    if day == timezone.localtime(earliest).date():
        return max(start, earliest)
    return start


# Refusals about the date picked, shown beside it.
DATE_REFUSALS = {"too_soon", "before_previous"}


@requires(PUBLISH_POLICY)
@require_http_methods(["GET", "POST"])
@refusals_as_pages
def policy_staff(request: HttpRequest) -> HttpResponse:
    """The current content against the latest version: what changed, and the publish button."""
    preview = publishing.preview_publication()
    status = 200
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                version = publishing.publish_policy(
                    acting_user=request.user,
                    effective_at=_effective_at(
                        form.cleaned_data["effective_date"], preview.earliest
                    ),
                )
            except publishing.PolicyError as refusal:
                field = "effective_date" if refusal.code in DATE_REFUSALS else None
                status = show_on_form(form, refusal, field=field)
            else:
                messages.success(
                    request,
                    _("Version %(number)s is published.") % {"number": version.number},
                )
                return redirect("privacy:policy_staff")
        else:
            status = 400
    else:
        form = PublishForm(initial={"effective_date": timezone.localtime(preview.earliest).date()})
    changes = [change.as_dict() for change in preview.changes]
    return render(
        request,
        "privacy/policy/staff.html",
        {
            "form": form,
            "preview": preview,
            "in_effect": publishing.version_in_effect(),
            "pending": publishing.pending_version(),
            "material": [publishing.describe_change(c) for c in changes if c["material"]],
            "other": [publishing.describe_change(c) for c in changes if not c["material"]],
            "nothing_changed": preview.previous is not None and not changes,
        },
        status=status,
    )
