"""Tasks of the messaging app; each carries only a row id and calls a service."""

from __future__ import annotations

from django_tasks import task

from coursekeeper.messaging import services


@task()
def deliver_outbox_message(message_id: int) -> None:
    """Deliver outbox row `message_id` (its primary key, not its Message-ID) if it is due.

    Safe to run more than once and after the row was sent: it then does nothing. Sending
    failures are recorded on the row as codes, never raised, so no address reaches the task
    result's traceback.
    """
    services.deliver_message(outbox_message_id=message_id)
