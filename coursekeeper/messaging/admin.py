"""The outbox in the administration: delivery state only, read-only.

Failed messages stay here, visible with their error code. Addresses, subjects and bodies are
not shown: whether a message went out can be told without reading it.
"""

from django.contrib import admin

from coursekeeper.messaging.models import OutboxMessage

DELIVERY_FIELDS = (
    "id",
    "template",
    "language",
    "status",
    "attempts",
    "max_attempts",
    "last_error_code",
    "created_at",
    "next_attempt_at",
    "claimed_until",
    "sent_at",
    "finished_at",
    "message_id",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "template", "status", "attempts", "last_error_code", "created_at")
    list_filter = ("status", "template", "last_error_code")
    ordering = ("-created_at",)
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
