"""`POST /webhooks/<provider>/`: where payment providers report what happened.

The view is thin: it hands the raw body and the headers to `services.handle_webhook` and turns
the result into the status code providers understand: 400 for a rejected signature (a forged or
stale request is not retried), 503 when the event could not be processed now (the provider
cannot be reached to re-check, or one of our refusals such as incomplete seller details: the
provider retries it later), 200 with the outcome otherwise, also for an event about an order
we do not know. Answers are short plain text: a provider, not a person, reads them.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coursekeeper.commerce import services, webhooks
from coursekeeper.commerce.errors import CommerceError
from coursekeeper.commerce.providers.base import ProviderError, WebhookRejected

app_name = "commerce_webhooks"


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    if not webhooks.known_provider(provider):
        raise Http404
    try:
        outcome = services.handle_webhook(
            provider=provider, body=request.body, headers=dict(request.headers)
        )
    except WebhookRejected as rejection:
        return _plain(rejection.reason, status=400)
    except ProviderError:
        return _plain("provider_unavailable: retry later", status=503)
    except CommerceError as refusal:
        return _plain(f"{refusal.code}: retry later", status=503)
    return _plain(outcome)


urlpatterns = [
    path("webhooks/<slug:provider>/", receive_webhook, name="receive"),
]
