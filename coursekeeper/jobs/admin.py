"""Scheduled runs in the administration, read-only: which periodic job ran for which slot."""

from django.contrib import admin

from coursekeeper.jobs.models import ScheduledRun


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ("job", "slot", "created_at")
    list_filter = ("job",)
    ordering = ("-slot",)
    readonly_fields = ("job", "slot", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
