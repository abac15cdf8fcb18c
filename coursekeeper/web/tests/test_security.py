"""Security headers, production mode and error pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_r38_pages_carry_a_strict_content_security_policy_and_frame_protection():
    response = Client().get(reverse("web:home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_r38_pages_load_nothing_from_other_sites():
    page = Client().get(reverse("account_signup")).content.decode()

    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    assert page.count('rel="stylesheet"') == 1
    assert "<script" not in page


def test_every_page_has_landmarks_and_a_skip_link():
    page = Client().get(reverse("account_login")).content.decode()

    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert "<header" in page
    assert "<nav" in page
    assert "<footer" in page


def test_an_unknown_page_is_a_translated_404_not_a_500():
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/does-not-exist/")

    assert response.status_code == 404
    assert '<html lang="de">' in response.content.decode()


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COURSEKEEPER_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "coursekeeper.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_r38_production_mode_refuses_to_start_with_debug_on():
    result = run_settings(
        COURSEKEEPER_ENV="production", DJANGO_DEBUG="1", DJANGO_SECRET_KEY="k" * 20 + "abcdefg" * 8
    )

    assert result.returncode != 0
    assert "refuses to start with DJANGO_DEBUG on" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["", "short-key", "django-insecure-" + "a1b2c3d4e5" * 6, "a" * 80],
)
def test_r38_production_mode_refuses_a_weak_secret_key(secret_key):
    result = run_settings(COURSEKEEPER_ENV="production", DJANGO_SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "Production mode needs DJANGO_SECRET_KEY" in result.stderr


def test_r29_production_mode_refuses_to_start_without_an_erasure_ledger_key():
    result = run_settings(
        COURSEKEEPER_ENV="production", DJANGO_SECRET_KEY="Zq8-" + "x7Yp2Lm9Qr4Tv6Wb1Nc3Hd5Jf0Kg" * 2
    )

    assert result.returncode != 0
    assert "Production mode needs COURSEKEEPER_ERASURE_LEDGER_KEY" in result.stderr


@pytest.mark.parametrize("mfa_keys", [None, "", "short-key", "Mf7-" + "q2Wn5Ty8Ub1" * 5 + ",weak"])
def test_r38_production_mode_refuses_to_start_without_strong_two_factor_keys(mfa_keys):
    keys = {} if mfa_keys is None else {"COURSEKEEPER_MFA_KEYS": mfa_keys}
    result = run_settings(
        COURSEKEEPER_ENV="production",
        DJANGO_SECRET_KEY="Zq8-" + "x7Yp2Lm9Qr4Tv6Wb1Nc3Hd5Jf0Kg" * 2,
        COURSEKEEPER_ERASURE_LEDGER_KEY="Lk3-" + "p9Rt2Vx5Zb8Cd1Fg4Hj7Km0Nq3Sw" * 2,
        **keys,
    )

    assert result.returncode != 0
    assert "Production mode needs COURSEKEEPER_MFA_KEYS" in result.stderr


def test_r38_production_mode_starts_with_a_strong_key_and_passes_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COURSEKEEPER_"))}
    env.update(
        COURSEKEEPER_ENV="production",
        DJANGO_SECRET_KEY="Zq8-" + "x7Yp2Lm9Qr4Tv6Wb1Nc3Hd5Jf0Kg" * 2,
        COURSEKEEPER_ERASURE_LEDGER_KEY="Lk3-" + "p9Rt2Vx5Zb8Cd1Fg4Hj7Km0Nq3Sw" * 2,
        COURSEKEEPER_MFA_KEYS="Mf7-" + "q2Wn5Ty8Ub1Xe4Ra7Sd0Gh3Jk6Lz" * 2,
        DJANGO_ALLOWED_HOSTS="courses.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
