"""The download of a person's copy of their data (R28): the owner only, signed in, for 7 days."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy import exports
from coursekeeper.privacy.models import ProviderSettings
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "HEAD"])
def download_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Serve the ZIP to its owner; 404 for anyone else, 410 once the link has expired.

    Served with HTTP Range support (an interrupted download resumes) and `no-store`, so the file
    stays in no cache.
    """
    from coursekeeper.web.ranges import ranged_file_response

    job = exports.finished_export_of(request.user, pk)
    if job is None:
        raise Http404
    if exports.has_expired(job):
        return _expired(request)
    try:
        response = ranged_file_response(
            request,
            file=job.file,
            content_type="application/zip",
            filename=exports.download_name(job),
            as_attachment=True,
        )
    except FileNotFoundError:  # deleted between the check and the opening
        return _expired(request)
    if request.method == "GET":
        logger.info("export downloaded job=%s person=%s", job.pk, pseudonym(request.user.pk))
    return response


def _expired(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "privacy/export_expired.html",
        {"provider": ProviderSettings.load()},
        status=410,
    )
    response["Cache-Control"] = "private, no-store"
    return response
