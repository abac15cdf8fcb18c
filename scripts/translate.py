"""Fill in new or fuzzy catalogue entries from a JSON file: {"da": {msgid: msgstr}, "de": {...}}.

Usage: .venv/bin/python scripts/translate.py translations.json  (then `make messages`).
Prints the entries still missing afterwards.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> int:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    missing = 0
    for language in ("da", "de"):
        catalogue = ROOT / "coursekeeper" / "locale" / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(catalogue), wrapwidth=79)
        given = translations.get(language, {})
        for entry in po:
            value = given.get(entry.msgid)
            if value is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
        po.save(str(catalogue))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            missing += 1
            print(f"{language}: {entry.msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
