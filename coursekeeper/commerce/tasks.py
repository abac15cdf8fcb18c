"""Tasks of the shop; each carries only a row id and calls a service."""

from __future__ import annotations

from django_tasks import task

from coursekeeper.commerce.providers import sandbox


@task()
def deliver_sandbox_event(event_id: int) -> None:
    """Deliver the test provider's event row `event_id` (its primary key) to our webhook.

    Safe to run more than once: a delivered event is not delivered again. A failed delivery
    is counted on the row and retried by `commerce_sandbox_deliver`, never raised.
    """
    sandbox.deliver_sandbox_event(event_pk=event_id)
