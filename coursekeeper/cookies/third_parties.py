"""The third parties a page may load after consent, as the privacy policy names them (R22, R41).

A visitor's browser sends a loaded tag or video player their address, browser details and the
page they are on, so each such party is a recipient of personal data, and, for the collection
and transmission the site causes, a joint controller with the provider (CJEU C-40/17 Fashion
ID). The policy lists one exactly while it can be loaded: a tag while the owner has it
configured (`cookies.tags`), a video player while a published lesson embeds from it. Their
cookies are in the registry in either case (`cookies.registry`); a video provider's are listed
there always, so that an instructor adding the first video does not ask every visitor again.

The content the policy is built from holds codes only (`ThirdParty.content`); the texts are
looked up when it is rendered (`service_text`, `location_text`), in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coursekeeper.cookies import tags, video
from coursekeeper.cookies.models import CookieCategory

# What every party here receives, in the declarations' categories: the address and browser
# details (technical) and the page viewed (use of the platform).
RECEIVED_CATEGORIES = ["technical", "usage"]
JOINT_CONTROLLER = "joint_controller"
# Each operator below is certified under the EU-US Data Privacy Framework for what it
# transfers to its parent in the USA.
SAFEGUARD = "dpf"


@dataclass(frozen=True)
class ThirdParty:
    code: str
    operator: str
    title: Promise
    category: str
    location: Promise

    def content(self) -> dict:
        """Return the party as the policy's content holds a recipient (codes, no sentences)."""
        return {
            "id": self.code,
            "name": self.operator,
            "role": JOINT_CONTROLLER,
            "service": self.code,
            "purposes": [],
            "categories": list(RECEIVED_CATEGORIES),
            "location": self.code,
            "outside_eea": True,
            "safeguard": SAFEGUARD,
        }


PLAYERS = {
    video.YOUTUBE: ThirdParty(
        code="youtube",
        operator=video.OPERATORS[video.YOUTUBE],
        title=gettext_lazy("YouTube videos in lessons"),
        category=CookieCategory.MARKETING,
        location=gettext_lazy("Ireland and the USA"),
    ),
    video.VIMEO: ThirdParty(
        code="vimeo",
        operator=video.OPERATORS[video.VIMEO],
        title=gettext_lazy("Vimeo videos in lessons"),
        category=CookieCategory.MARKETING,
        location=gettext_lazy("the USA"),
    ),
}
TAGS = {
    kind.code: ThirdParty(
        code=kind.code,
        operator=kind.operator,
        title=kind.title,
        category=kind.category,
        location=kind.location,
    )
    for kind in tags.TAG_KINDS
}
KNOWN = {**PLAYERS, **TAGS}


def in_use() -> list[ThirdParty]:
    """Return the parties a page can load now: embedded players, then configured tags."""
    from coursekeeper.learning.selectors import embedded_video_providers

    embedded = embedded_video_providers()
    players = [party for code, party in PLAYERS.items() if code in embedded]
    return [*players, *(TAGS[tag.kind.code] for tag in tags.configured_tags())]


def service_text(code: str) -> str:
    """Return what a party does, in the active language, or the code for an unknown one."""
    party = KNOWN.get(code)
    if party is None:
        return code
    categories = dict(CookieCategory.choices)
    return _("%(what)s; loaded only if you allow the cookie category “%(category)s”") % {
        "what": party.title,
        "category": categories[party.category],
    }


def location_text(code: str) -> str:
    """Return where a party processes the data, in the active language."""
    party = KNOWN.get(code)
    return str(party.location) if party is not None else code
