"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms


class NativeDateInput(forms.DateInput):
    """The browser's own date picker.

    Its value is always an ISO 8601 date (2026-12-03), whatever the page's language: a browser
    rejects "03.12.2026", which the Danish and German formats would otherwise write into it.
    """

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
