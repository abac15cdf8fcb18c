"""Third-party video embeds (R22): which addresses we embed, and how, only after consent.

An embedded YouTube or Vimeo player is a third party loading into the page and storing on the
device, so it is marketing (the category the registry gives its cookies, `seed._youtube`):
without that consent the page shows a placeholder that says what would load and from whom,
with a plain link, a link to the cookie settings and a button that records the consent (see
`templatetags/cookie_choices.video_embed`). With it, the iframe uses the providers' most
privacy-friendly addresses (youtube-nocookie.com, Vimeo's `dnt=1`), and the page's
Content-Security-Policy lets exactly that origin be framed.

A lesson stores a video as its provider's code and the video's id (`video_for` rebuilds it), never
as the address the instructor typed: what is embedded is always one of the two forms above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest

from coursekeeper.cookies.models import CookieCategory
from coursekeeper.cookies.sources import allow_sources

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_YOUTUBE_NOCOOKIE_HOSTS = {"youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com"}

YOUTUBE = "youtube"
VIMEO = "vimeo"
# The providers a lesson may embed from, as its `embed_provider` stores them.
PROVIDER_CHOICES = [(YOUTUBE, "YouTube"), (VIMEO, "Vimeo")]
# Who runs each player: the placeholder names them before anything of theirs loads.
OPERATORS = {YOUTUBE: "Google Ireland Limited", VIMEO: "Vimeo.com, Inc."}


@dataclass(frozen=True)
class Video:
    provider: str
    video_id: str
    embed_url: str
    watch_url: str
    frame_origin: str

    @property
    def code(self) -> str:
        """Return the provider's code, as a lesson stores it ("youtube", "vimeo")."""
        return self.provider.lower()

    @property
    def operator(self) -> str:
        """Return who runs the player: the company the placeholder names."""
        return OPERATORS[self.code]

    @property
    def frame_host(self) -> str:
        """Return the host the player loads from, as the placeholder names it."""
        return self.frame_origin.removeprefix("https://")

    @property
    def category(self) -> str:
        """Return the cookie category the player needs (its cookies' category in the registry)."""
        return CookieCategory.MARKETING

    @property
    def anchor(self) -> str:
        return f"video-{self.code}-{self.video_id}"


def _youtube(video_id: str) -> Video | None:
    if not _YOUTUBE_ID.match(video_id):
        return None
    return Video(
        provider="YouTube",
        video_id=video_id,
        embed_url=f"https://www.youtube-nocookie.com/embed/{video_id}",
        watch_url=f"https://www.youtube.com/watch?v={video_id}",
        frame_origin="https://www.youtube-nocookie.com",
    )


def _vimeo(video_id: str) -> Video | None:
    if not _VIMEO_ID.match(video_id):
        return None
    return Video(
        provider="Vimeo",
        video_id=video_id,
        embed_url=f"https://player.vimeo.com/video/{video_id}?dnt=1",
        watch_url=f"https://vimeo.com/{video_id}",
        frame_origin="https://player.vimeo.com",
    )


def parse_video_url(url: str) -> Video | None:
    """Return the video a YouTube or Vimeo address points at, or None for anything else."""
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            return _youtube(parse_qs(parts.query).get("v", [""])[0])
        if len(segments) == 2 and segments[0] in {"embed", "shorts", "live"}:
            return _youtube(segments[1])
        return None
    if host in _YOUTUBE_NOCOOKIE_HOSTS and len(segments) == 2 and segments[0] == "embed":
        return _youtube(segments[1])
    if host == "youtu.be" and len(segments) == 1:
        return _youtube(segments[0])
    if host in _VIMEO_HOSTS and len(segments) == 1:
        return _vimeo(segments[0])
    if host == "player.vimeo.com" and len(segments) == 2 and segments[0] == "video":
        return _vimeo(segments[1])
    return None


def video_for(provider: str, video_id: str) -> Video | None:
    """Return the video a lesson stores as its provider's code and id, or None for none."""
    if provider == YOUTUBE:
        return _youtube(video_id)
    if provider == VIMEO:
        return _vimeo(video_id)
    return None


def allow_frame_source(request: HttpRequest, origin: str) -> None:
    """Let this response frame a player from `origin`: its CSP's `frame-src`, and the player
    features of its Permissions-Policy (`web.headers`)."""
    allow_sources(request, {"frame-src": (origin,)})
    players = getattr(request, "_embed_player_origins", None)
    if players is None:
        # Kept on the request for the headers; the stubs know no such field.
        players = request._embed_player_origins = set()  # type: ignore[attr-defined]
    players.add(origin)


def framed_origins(request: HttpRequest) -> frozenset[str]:
    """Return the origins this response embeds players from (`allow_frame_source`)."""
    return frozenset(getattr(request, "_embed_player_origins", ()))
