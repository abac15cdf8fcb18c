"""Every user-facing string exists in Danish and German; a missing or fuzzy one fails here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ("da", "de")


def catalogue(root: Path, language: str) -> Path:
    return root / "coursekeeper" / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_missing_or_fuzzy_message(language):
    po = polib.pofile(str(catalogue(ROOT, language)))

    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    po = polib.pofile(str(catalogue(ROOT, language)))
    mo = polib.mofile(str(catalogue(ROOT, language).with_suffix(".mo")))

    def translations(entries):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in entries
            if e.msgid
        }

    assert translations(mo) == translations(po.translated_entries()), (
        "run `make messages` to recompile"
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_every_string_in_the_code_is_in_both_catalogues(tmp_path):
    """Extract the strings afresh from a copy of the code and find any the catalogues lack."""
    shutil.copytree(
        ROOT / "coursekeeper",
        tmp_path / "coursekeeper",
        ignore=shutil.ignore_patterns("__pycache__", "tests", "*.mo"),
    )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "-l", "de", "--no-obsolete"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "coursekeeper.settings"},
        check=True,
        capture_output=True,
        timeout=300,
    )

    for language in LANGUAGES:
        fresh = polib.pofile(str(catalogue(tmp_path, language)))
        missing = [e.msgid for e in fresh.untranslated_entries() + fresh.fuzzy_entries()]
        assert missing == [], f"{language}: run `make messages` and translate these"
