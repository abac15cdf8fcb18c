"""Reads of the contact app for the staff inbox; views check the role before calling them."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from coursekeeper.contact.models import Contact, ContactEntry
from coursekeeper.contact.retention import is_customer, relationship_ended_at

INBOX_PAGE_SIZE = 50


def inbox_page(number: int | str | None) -> Page:
    """Return one page of threads, the most recent contact first (unread ones stand out)."""
    threads = Contact.objects.only(
        "pk", "name", "email", "last_contact_at", "unread", "keep_until"
    ).order_by("-last_contact_at", "-pk")
    return Paginator(threads, INBOX_PAGE_SIZE).get_page(number)


def thread_entries(contact: Contact) -> QuerySet[ContactEntry]:
    """Return the thread's entries, oldest first, with the staff member who logged each."""
    return contact.entries.select_related("logged_by").order_by("at", "pk")


def thread_facts(contact: Contact) -> dict:
    """Return what the contact page says about the thread besides its entries."""
    customer = relationship_ended_at(contact.user_id) is not None or is_customer(contact.email)
    return {"is_customer": customer, "has_account": contact.user_id is not None}
