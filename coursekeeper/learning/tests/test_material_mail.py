"""R4: the free-material mail goes to an address nobody confirmed, so it quotes no typed name."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from coursekeeper.learning.factories import LessonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_r4_the_material_mail_does_not_repeat_the_name_typed_on_the_form(smtp_server, token):
    lesson = LessonFactory(
        kind="file", is_free_sample=True, media=ContentFile(b"%PDF-1.4 handbook", "handbook.pdf")
    )
    email = f"target-{token}@example.org"
    name = f"Your account is locked, log in at https://bank-check.example.net/{token} today"

    Client().post(
        reverse("learning:free_material", args=[lesson.pk]), {"name": name, "email": email}
    )

    (mail,) = smtp_server.wait_for(email)
    assert "bank-check.example.net" not in mail.text
    assert "account is locked" not in mail.text
    assert "http://testserver/material/" in mail.text
