"""Third-party video embeds (R22): which addresses we embed, and how, only after consent.

An embedded YouTube or Vimeo player is a third party loading into the page and storing on the
device, so it is marketing: without that consent the page shows a placeholder with a plain
link and a button that records the consent (see `templatetags/cookie_choices.video_embed`).
With it, the iframe uses the providers' most privacy-friendly addresses (youtube-nocookie.com,
Vimeo's `dnt=1`), and the page's Content-Security-Policy lets exactly that origin be framed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
_YOUTUBE_NOCOOKIE_HOSTS = {"youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com"}


@dataclass(frozen=True)
class Video:
    provider: str
    video_id: str
    embed_url: str
    watch_url: str
    frame_origin: str

    @property
    def anchor(self) -> str:
        return f"video-{self.provider.lower()}-{self.video_id}"


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


def allow_frame_source(request: HttpRequest, origin: str) -> None:
    """Let this response's Content-Security-Policy frame `origin` (CookieChoiceMiddleware)."""
    sources = getattr(request, "_embed_frame_sources", None)
    if sources is None:
        # Kept on the request for the middleware; the stubs know no such field.
        sources = request._embed_frame_sources = set()  # type: ignore[attr-defined]
    sources.add(origin)


def framed_origins(request: HttpRequest) -> frozenset[str]:
    """Return the origins this response embeds players from (`allow_frame_source`)."""
    return frozenset(getattr(request, "_embed_frame_sources", ()))
