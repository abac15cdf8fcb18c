"""The owner's marketing and statistics tags (R22): Meta pixel, Google tag, LinkedIn Insight Tag.

Design. The owner enters a tag's id in the provider settings (`ProviderSettings`, validated by
the validators here); everything else about a tag is code, kept in one `TagKind` per product:
the cookie category it needs, the cookies it sets (registry entries in three languages), the
origins it loads from (per Content-Security-Policy directive), and who runs it. From a
configured id follow, with nothing else to keep in step:

- the registry (`cookies.registry.entries`) lists the tag's cookies, so the cookie settings
  page, the cookie policy and the registry version include them. Configuring a tag therefore
  makes every earlier choice out of date, and the banner asks everyone again before anything
  of the new party's loads; removing it takes its entries away again;
- the privacy policy names its operator as a recipient (`cookies.third_parties`);
- the base template (`{% marketing_tags %}`) emits it only for a device whose current choice
  accepts the tag's category, and only on the public pages listed in `TAGGED_ROUTES`, and that
  one response's CSP allows exactly the tag's origins (`cookies.sources`).

Why only some pages. A tag reports the address of the page it runs on to its operator. Pages
outside the list carry tokens in their address (password reset, email confirmation, download
and unlock links), or show a learner's own data, or a lesson they study; none of that is for an
advertiser, so a page added later is left untagged until someone decides otherwise.

Without JavaScript, the Meta pixel and the LinkedIn Insight Tag count a page view through an
image (their own `<noscript>` form), under the same consent; the Google tag has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.validators import RegexValidator
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coursekeeper.cookies.models import CookieCategory, RegistryEntry

DAY = 60 * 60 * 24
YEAR = 365 * DAY

META_PIXEL_ID = RegexValidator(
    r"\A[0-9]{15,16}\Z",
    message=_("A Meta pixel ID is 15 or 16 digits, as Meta's Events Manager shows it."),
    code="invalid_tag_id",
)
GOOGLE_TAG_ID = RegexValidator(
    r"\A(G-[A-Z0-9]{6,14}|AW-[0-9]{6,14})\Z",
    message=_(
        "A Google tag ID starts with G- (Google Analytics) or AW- (Google Ads), such as "
        "G-A1B2C3D4E5 or AW-123456789."
    ),
    code="invalid_tag_id",
)
LINKEDIN_PARTNER_ID = RegexValidator(
    r"\A[0-9]{4,10}\Z",
    message=_("A LinkedIn partner ID is a number of 4 to 10 digits, as LinkedIn shows it."),
    code="invalid_tag_id",
)

# The provider settings' fields that hold the tags' ids.
TAG_FIELDS = ("meta_pixel_id", "google_tag_id", "linkedin_partner_id")

# The only pages a tag runs on: public, and with nothing in their address but a course's name
# or a lesson's number (see the module's docstring).
TAGGED_ROUTES = frozenset(
    {
        "web:home",
        "learning:catalogue",
        "learning:course",
        "learning:free_material",
        "newsletter:signup",
        "contact:form",
        "account_signup",
    }
)


@dataclass(frozen=True)
class TagKind:
    """One product a tag id can stand for, and everything that follows from using it."""

    code: str
    title: Promise
    operator: str
    category: str
    # The attribute of the loader script (`static/cookies/tags.js`) that carries the id.
    attribute: str
    # Content-Security-Policy directive -> the origins the tag loads from or sends to.
    sources: Mapping[str, tuple[str, ...]]
    cookies: tuple[dict, ...]
    # The image a browser without JavaScript loads instead ("{id}" is replaced), or "".
    noscript_image: str = ""
    # Where the operator processes the data, for the privacy policy.
    location: Promise = field(default=_("Ireland and the USA"))

    def registry_entries(self) -> list[RegistryEntry]:
        """Return the tag's cookies as (unsaved) registry entries."""
        common = {"category": self.category, "provider": self.operator, "first_party": False}
        return [
            RegistryEntry(**{"kind": "cookie", **common, **cookie, "position": 10_000})
            for cookie in self.cookies
        ]


def _purpose(en: str, da: str, de: str) -> dict[str, str]:
    return {"purpose_en": en, "purpose_da": da, "purpose_de": de}


_META_ADVERTS = _purpose(
    "Set by Meta under its own address (facebook.com): recognises your browser, also on "
    "other websites, to show and measure adverts.",
    "Sættes af Meta under dets egen adresse (facebook.com): genkender din browser, også på "
    "andre websteder, for at vise og måle annoncer.",
    "Wird von Meta unter seiner eigenen Adresse (facebook.com) gesetzt: erkennt deinen Browser, "
    "auch auf anderen Websites, um Werbung anzuzeigen und zu messen.",
)
META_PIXEL = TagKind(
    code="meta_pixel",
    title=_("Meta pixel"),
    operator="Meta Platforms Ireland Limited",
    category=CookieCategory.MARKETING,
    attribute="meta-pixel",
    sources={
        "script-src": ("https://connect.facebook.net",),
        "img-src": ("https://www.facebook.com",),
        "connect-src": ("https://connect.facebook.net", "https://www.facebook.com"),
    },
    cookies=(
        {
            "name": "_fbp",
            "duration_seconds": 90 * DAY,
            **_purpose(
                "Set by Meta's pixel on this site: recognises your browser on later visits, so "
                "Meta can measure and target its adverts.",
                "Sættes af Metas pixel på dette websted: genkender din browser ved senere "
                "besøg, så Meta kan måle og målrette sine annoncer.",
                "Wird vom Meta-Pixel auf dieser Website gesetzt: erkennt deinen Browser bei "
                "späteren Besuchen wieder, damit Meta seine Werbung messen und ausrichten kann.",
            ),
        },
        {
            "name": "_fbc",
            "duration_seconds": 90 * DAY,
            **_purpose(
                "Set by Meta's pixel when you arrive from an advert on Facebook or Instagram: "
                "records which advert it was.",
                "Sættes af Metas pixel, når du kommer fra en annonce på Facebook eller "
                "Instagram: registrerer, hvilken annonce det var.",
                "Wird vom Meta-Pixel gesetzt, wenn du über eine Anzeige auf Facebook oder "
                "Instagram kommen: hält fest, welche Anzeige es war.",
            ),
        },
        {"name": "fr", "duration_seconds": 90 * DAY, **_META_ADVERTS},
    ),
    noscript_image="https://www.facebook.com/tr?id={id}&ev=PageView&noscript=1",
)

_GA_COUNT = _purpose(
    "Set by Google Analytics: tells your browser's visits apart from others', so Google can "
    "count visitors and how they use this site, for us.",
    "Sættes af Google Analytics: skelner din browsers besøg fra andres, så Google kan tælle "
    "besøgende og deres brug af dette websted for os.",
    "Wird von Google Analytics gesetzt: unterscheidet die Besuche deines Browsers von anderen, "
    "damit Google für uns Besucher und ihre Nutzung dieser Website zählen kann.",
)
GOOGLE_ANALYTICS = TagKind(
    code="google_analytics",
    title=_("Google Analytics"),
    operator="Google Ireland Limited",
    category=CookieCategory.STATISTICS,
    attribute="google-tag",
    sources={
        "script-src": ("https://www.googletagmanager.com",),
        "img-src": ("https://*.google-analytics.com", "https://www.googletagmanager.com"),
        "connect-src": (
            "https://*.analytics.google.com",
            "https://*.google-analytics.com",
            "https://www.googletagmanager.com",
        ),
    },
    cookies=(
        {"name": "_ga", "duration_seconds": 2 * YEAR, **_GA_COUNT},
        {
            "name": "_ga_*",
            "duration_seconds": 2 * YEAR,
            **_purpose(
                "Set by Google Analytics: keeps the state of your current visit for the count.",
                "Sættes af Google Analytics: holder styr på dit nuværende besøg til optællingen.",
                "Wird von Google Analytics gesetzt: hält den Stand deines aktuellen Besuchs für "
                "die Zählung fest.",
            ),
        },
    ),
)
GOOGLE_ADS = TagKind(
    code="google_ads",
    title=_("Google Ads"),
    operator="Google Ireland Limited",
    category=CookieCategory.MARKETING,
    attribute="google-tag",
    sources={
        "script-src": (
            "https://googleads.g.doubleclick.net",
            "https://www.google.com",
            "https://www.googleadservices.com",
            "https://www.googletagmanager.com",
        ),
        "img-src": (
            "https://googleads.g.doubleclick.net",
            "https://www.google.com",
            "https://www.googletagmanager.com",
        ),
        "connect-src": (
            "https://googleads.g.doubleclick.net",
            "https://www.google.com",
            "https://www.googleadservices.com",
        ),
        "frame-src": ("https://td.doubleclick.net", "https://www.googletagmanager.com"),
    },
    cookies=(
        {
            "name": "_gcl_au",
            "duration_seconds": 90 * DAY,
            **_purpose(
                "Set by Google Ads: links your visit to an advert you clicked, to measure "
                "whether the advert worked.",
                "Sættes af Google Ads: forbinder dit besøg med en annonce, du klikkede på, for "
                "at måle, om annoncen virkede.",
                "Wird von Google Ads gesetzt: verknüpft deinen Besuch mit einer angeklickten "
                "Anzeige, um zu messen, ob die Anzeige gewirkt hat.",
            ),
        },
        {
            "name": "IDE",
            "duration_seconds": 390 * DAY,
            **_purpose(
                "Set by Google under its own address (doubleclick.net): recognises your "
                "browser, also on other websites, to show and measure adverts.",
                "Sættes af Google under dets egen adresse (doubleclick.net): genkender din "
                "browser, også på andre websteder, for at vise og måle annoncer.",
                "Wird von Google unter seiner eigenen Adresse (doubleclick.net) gesetzt: "
                "erkennt deinen Browser, auch auf anderen Websites, um Werbung anzuzeigen und "
                "zu messen.",
            ),
        },
    ),
)

_LINKEDIN_ADVERTS = _purpose(
    "Set by LinkedIn's Insight Tag: recognises your browser, also on other websites, so "
    "LinkedIn can measure and target its adverts and report visits to us in groups.",
    "Sættes af LinkedIns Insight Tag: genkender din browser, også på andre websteder, så "
    "LinkedIn kan måle og målrette sine annoncer og rapportere besøg til os samlet.",
    "Wird vom LinkedIn Insight Tag gesetzt: erkennt deinen Browser, auch auf anderen Websites, "
    "damit LinkedIn seine Werbung messen und ausrichten und uns Besuche gesammelt melden kann.",
)
LINKEDIN_INSIGHT = TagKind(
    code="linkedin_insight",
    title=_("LinkedIn Insight Tag"),
    operator="LinkedIn Ireland Unlimited Company",
    category=CookieCategory.MARKETING,
    attribute="linkedin-partner",
    sources={
        "script-src": ("https://snap.licdn.com",),
        "img-src": ("https://px.ads.linkedin.com",),
        "connect-src": ("https://px.ads.linkedin.com",),
    },
    cookies=(
        {"name": "li_sugr", "duration_seconds": 90 * DAY, **_LINKEDIN_ADVERTS},
        {"name": "bcookie", "duration_seconds": YEAR, **_LINKEDIN_ADVERTS},
        {"name": "lidc", "duration_seconds": DAY, **_LINKEDIN_ADVERTS},
        {"name": "UserMatchHistory", "duration_seconds": 30 * DAY, **_LINKEDIN_ADVERTS},
        {"name": "AnalyticsSyncHistory", "duration_seconds": 30 * DAY, **_LINKEDIN_ADVERTS},
    ),
    noscript_image="https://px.ads.linkedin.com/collect/?pid={id}&fmt=gif",
)

TAG_KINDS = (META_PIXEL, GOOGLE_ANALYTICS, GOOGLE_ADS, LINKEDIN_INSIGHT)


@dataclass(frozen=True)
class ConfiguredTag:
    """A tag the owner configured: its kind and its id."""

    kind: TagKind
    tag_id: str

    @property
    def noscript_url(self) -> str:
        return self.kind.noscript_image.format(id=self.tag_id) if self.kind.noscript_image else ""


def tags_from(
    *, meta_pixel_id: str = "", google_tag_id: str = "", linkedin_partner_id: str = ""
) -> list[ConfiguredTag]:
    """Return the tags these ids configure; a Google id's prefix says Analytics or Ads."""
    tags = []
    if meta_pixel_id:
        tags.append(ConfiguredTag(META_PIXEL, meta_pixel_id))
    if google_tag_id:
        kind = GOOGLE_ADS if google_tag_id.startswith("AW-") else GOOGLE_ANALYTICS
        tags.append(ConfiguredTag(kind, google_tag_id))
    if linkedin_partner_id:
        tags.append(ConfiguredTag(LINKEDIN_INSIGHT, linkedin_partner_id))
    return tags


def configured_tags() -> list[ConfiguredTag]:
    """Return the tags the provider settings configure now (one query; nothing is created)."""
    from coursekeeper.privacy.models import ProviderSettings

    row = ProviderSettings.objects.filter(pk=1).values(*TAG_FIELDS).first() or {}
    return tags_from(**{name: value or "" for name, value in row.items()})


def registry_entries(tags: list[ConfiguredTag] | None = None) -> list[RegistryEntry]:
    """Return the registry entries of the configured tags (unsaved: derived, never stored)."""
    entries: list[RegistryEntry] = []
    for tag in configured_tags() if tags is None else tags:
        entries.extend(tag.kind.registry_entries())
    return entries


def on_tagged_page(request: HttpRequest) -> bool:
    """Return whether this request's page is one a tag may run on (`TAGGED_ROUTES`)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in TAGGED_ROUTES


def tags_for(request: HttpRequest | None, accepted: frozenset[str]) -> list[ConfiguredTag]:
    """Return the configured tags this page may emit for a device that accepted `accepted`."""
    if request is None or not accepted or not on_tagged_page(request):
        return []  # asked before reading the settings: most pages cost no query
    return [tag for tag in configured_tags() if tag.kind.category in accepted]
