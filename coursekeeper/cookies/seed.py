"""The registry's first content: every cookie and storage key the platform really sets.

Found by reading the settings and the code, and checked by the browser crawl
(`tests/browser/test_cookie_crawl.py`), which fails on any key missing here.

Classification (R23; ePrivacy Art. 5(3): only what is strictly necessary for a service the
person asked for goes without consent):
- the session, CSRF, messages and choice cookies are necessary: sign-in, form security, a
  one-off notice after a form, and remembering the cookie choice itself;
- the language cookie is necessary too: it is set only when the person clicks a language (or
  saves one in their profile), and remembering it is the service they asked for by clicking —
  without it the next page would fall back to the browser's language. It is never set on its
  own (Article 29 Working Party, Opinion 04/2012, section 3.6: user-interface customisation
  set by an explicit action);
- nothing the platform sets is a "preference" at the moment, so that category is empty;
- the statistics script keeps one session-storage key once statistics are accepted;
- YouTube and Vimeo, behind the click-to-load video placeholder, are marketing: they are third
  parties that recognise the browser across sites.

The migration that seeds the registry reads the cookie names from the settings, so production
(`__Host-` names) registers the names it really uses. Changing this list later needs a new data
migration, and changes the registry version, so everyone is asked again.
"""

from __future__ import annotations

from django.conf import settings

YEAR = 60 * 60 * 24 * 365
DAY = 60 * 60 * 24

# The choice cookie lives six months; then the person is asked again.
CHOICE_COOKIE_NAME = "coursekeeper_consent"
CHOICE_COOKIE_AGE = 182 * DAY
SCREEN_COUNTED_KEY = "coursekeeper_screen_counted"


def seed_entries() -> list[dict]:
    """Return the registry's entries, with cookie names as the settings define them now."""
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "category": "necessary",
            "duration_seconds": settings.SESSION_COOKIE_AGE,
            "purpose_en": "Keeps you signed in, and carries what a form needs from one page "
            "to the next.",
            "purpose_da": "Holder dig logget ind og bærer det, en formular har brug for, fra den "
            "ene side til den næste.",
            "purpose_de": "Hält dich angemeldet und trägt, was ein Formular von einer Seite zur "
            "nächsten braucht.",
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "category": "necessary",
            "duration_seconds": settings.CSRF_COOKIE_AGE,
            "purpose_en": "Protects the forms you send against forgery by other websites.",
            "purpose_da": "Beskytter de formularer, du sender, mod forfalskning fra andre "
            "websteder.",
            "purpose_de": "Schützt die Formulare, die du absendest, vor Fälschung durch andere "
            "Websites.",
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "category": "necessary",
            "duration_seconds": settings.LANGUAGE_COOKIE_AGE,
            "purpose_en": "Remembers the language you picked. Set only when you pick one.",
            "purpose_da": "Husker det sprog, du valgte. Sættes kun, når du vælger et.",
            "purpose_de": "Merkt sich die Sprache, die du gewählt hast. Wird nur gesetzt, wenn "
            "du eine wählst.",
        },
        {
            # django.contrib.messages' CookieStorage (the first of its fallback storages).
            "name": "messages",
            "category": "necessary",
            "duration_seconds": None,
            "purpose_en": "Carries a short notice (such as “your choices are saved”) to "
            "the next page; removed once shown.",
            "purpose_da": "Bærer en kort besked (som “dine valg er gemt”) til den næste "
            "side; fjernes, når den er vist.",
            "purpose_de": "Trägt einen kurzen Hinweis (etwa „Deine Auswahl ist "
            "gespeichert“) zur nächsten Seite; wird entfernt, sobald er angezeigt wurde.",
        },
        {
            "name": CHOICE_COOKIE_NAME,
            "category": "necessary",
            "duration_seconds": CHOICE_COOKIE_AGE,
            "purpose_en": "Remembers your cookie choices and the version of this list they were "
            "made for, so you are not asked on every page.",
            "purpose_da": "Husker dine cookievalg og den version af denne liste, de blev truffet "
            "for, så du ikke bliver spurgt på hver side.",
            "purpose_de": "Merkt sich deine Cookie-Auswahl und die Version dieser Liste, für die "
            "sie getroffen wurde, damit du nicht auf jeder Seite gefragt wirst.",
        },
        {
            "name": SCREEN_COUNTED_KEY,
            "kind": "session_storage",
            "category": "statistics",
            "duration_seconds": None,
            "purpose_en": "Notes that your screen size (in broad steps) was counted in this "
            "browser session, so it is counted only once.",
            "purpose_da": "Noterer, at din skærmstørrelse (i grove trin) er talt med i denne "
            "browsersession, så den kun tælles én gang.",
            "purpose_de": "Vermerkt, dass deine Bildschirmgröße (in groben Stufen) in dieser "
            "Browsersitzung gezählt wurde, damit sie nur einmal gezählt wird.",
        },
        *_youtube(),
        *_vimeo(),
    ]


_YOUTUBE = "Google Ireland Limited (YouTube)"
_YOUTUBE_PURPOSE = {
    "purpose_en": "Set by YouTube when you load an embedded video: recognises your browser, "
    "also on other websites, to count views and choose adverts.",
    "purpose_da": "Sættes af YouTube, når du indlæser en indlejret video: genkender din browser, "
    "også på andre websteder, for at tælle visninger og vælge annoncer.",
    "purpose_de": "Wird von YouTube gesetzt, wenn du ein eingebettetes Video lädst: erkennt "
    "deinen Browser, auch auf anderen Websites, um Aufrufe zu zählen und Werbung auszuwählen.",
}


def _youtube() -> list[dict]:
    common = {
        "category": "marketing",
        "provider": _YOUTUBE,
        "first_party": False,
        **_YOUTUBE_PURPOSE,
    }
    return [
        {"name": "YSC", "duration_seconds": None, **common},
        {"name": "VISITOR_INFO1_LIVE", "duration_seconds": 180 * DAY, **common},
        {"name": "VISITOR_PRIVACY_METADATA", "duration_seconds": 180 * DAY, **common},
        {"name": "__Secure-ROLLOUT_TOKEN", "duration_seconds": 180 * DAY, **common},
        {"name": "yt-*", "kind": "local_storage", "duration_seconds": None, **common},
        {"name": "ytidb::*", "kind": "local_storage", "duration_seconds": None, **common},
        {"name": "yt-*", "kind": "session_storage", "duration_seconds": None, **common},
    ]


def _vimeo() -> list[dict]:
    common = {
        "category": "marketing",
        "provider": "Vimeo.com, Inc.",
        "first_party": False,
        "purpose_en": "Set by Vimeo when you load an embedded video: recognises your browser "
        "and protects Vimeo's service against automated traffic.",
        "purpose_da": "Sættes af Vimeo, når du indlæser en indlejret video: genkender din "
        "browser og beskytter Vimeos tjeneste mod automatiseret trafik.",
        "purpose_de": "Wird von Vimeo gesetzt, wenn du ein eingebettetes Video lädst: erkennt "
        "deinen Browser und schützt Vimeos Dienst vor automatisiertem Datenverkehr.",
    }
    return [
        {"name": "vuid", "duration_seconds": 2 * YEAR, **common},
        {"name": "__cf_bm", "duration_seconds": 30 * 60, **common},
    ]


def seed_registry(registry_entry_model) -> int:
    """Create or update the seeded entries (idempotent); return how many there are.

    Takes the model class so the data migration can pass its historical model.
    """
    for position, entry in enumerate(seed_entries()):
        values = {
            "kind": "cookie",
            "provider": "",
            "first_party": True,
            "purpose_da": "",
            "purpose_de": "",
            **entry,
            "position": position * 10,
        }
        registry_entry_model.objects.update_or_create(
            name=values.pop("name"),
            kind=values.pop("kind"),
            provider=values.pop("provider"),
            defaults=values,
        )
    return len(seed_entries())
