"""The bare project's one URL and its one view: about 4 KB of HTML, built once."""

from django.http import HttpResponse
from django.urls import path

MARKER = "bare-django-floor"

_PARAGRAPH = (
    "<p>A paragraph of plain text, about as long as one on a course page, so that the floor "
    "sends roughly what a page sends and the network and parsing costs stay alike.</p>\n"
)
PAGE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Floor</title></head>\n'
    f'<body>\n<main id="{MARKER}">\n<h1>A page of about four kilobytes</h1>\n'
    + _PARAGRAPH * 23
    + "</main>\n</body>\n</html>\n"
)


def page(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", page)]
