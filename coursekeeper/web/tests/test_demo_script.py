"""The demo's worker and scheduler link to the address the demo is served on (R18 mail links)."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "run-demo"


def _site_url_for(environment: dict[str, str]) -> str:
    """Run the part of the demo script that sets the address, as the script runs it."""
    lines = SCRIPT.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("HOST_PORT="))
    end = next(i for i, line in enumerate(lines) if "COURSEKEEPER_SITE_URL=" in line)
    prelude = "\n".join(lines[start : end + 1])
    result = subprocess.run(
        ["bash", "-c", f'{prelude}\necho "$COURSEKEEPER_SITE_URL"'],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_mail_links_follow_the_address_the_demo_serves_on():
    assert _site_url_for({"COURSEKEEPER_ADDRESS": "0.0.0.0:9001"}) == "http://0.0.0.0:9001"
    assert _site_url_for({}) == "http://127.0.0.1:8000"
    assert (
        _site_url_for({"COURSEKEEPER_SITE_URL": "https://courses.example.org"})
        == "https://courses.example.org"
    )


def test_the_address_is_exported_before_the_worker_and_the_scheduler_start():
    script = SCRIPT.read_text()
    exported = script.index("export COURSEKEEPER_SITE_URL")

    assert exported < script.index("db_worker")
    assert exported < script.index("manage.py scheduler")
    assert exported < script.index("seed_demo")
