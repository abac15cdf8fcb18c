"""Serve a stored file in whole or in part, answering HTTP Range requests (RFC 9110 §14).

Protected media (lesson videos, exports, invoices) is served by a view that first checks access
and then hands the file to `ranged_file_response`. Browsers seek in a video and resume an
interrupted download by asking for byte ranges, so a plain `FileResponse` (always 200, the whole
file) is not enough.

Design:
- The file is read through the `File` API only (`open("rb")`, `size`, `seek`, `read`), never by
  local path, so the same code serves files from an S3-compatible storage later. The body is a
  generator of chunks of at most `CHUNK_SIZE` bytes; memory use does not grow with the file.
- One range per request. A request for several ranges (`bytes=0-9,20-29`) is answered with the
  whole file as a 200, which RFC 9110 §14.2 allows ("a server MAY ignore the Range header"), so
  there is no multipart/byteranges body to build. A malformed byte range (`bytes=9-2`,
  `bytes=abc`) or one that starts beyond the end gets a 416 with `Content-Range: bytes */size`.
  A range in a unit other than bytes is ignored (§14.2 says MUST), giving a 200.
- HEAD answers with exactly the headers GET would (§9.3.2), Range included, and no body; the
  file is not opened for it.
- Validators: a weak ETag from size and modification time and a Last-Modified, when the storage
  offers `get_modified_time` (FileSystemStorage and django-storages' S3 storage do); neither
  when it does not. Because the ETag is weak, an `If-Range` that carries it never matches (RFC
  9110 §13.1.5 demands a strong comparison), so the Range is ignored and the whole file sent;
  an `If-Range` with an HTTP-date matches when it equals Last-Modified to the second.
- Every answer is `Cache-Control: private, no-store`: the files belong to one person and must not
  stay in a shared cache or on a shared computer's disk.
- Safe by construction, whoever calls: a stored file is content, never a page of the site. Every
  answer (the 416 too) carries `X-Content-Type-Options: nosniff` (the browser uses the type we
  send), its own `Content-Security-Policy` (django-csp's middleware leaves a response that
  already has the header alone) and `Cross-Origin-Resource-Policy: same-origin` (no other site
  may embed it). The file is shown `inline` only when its content type is on
  `INLINE_CONTENT_TYPES` -- audio, video and raster images, which a browser plays or shows
  itself without running anything the file carries; everything else is an `attachment`,
  whatever the caller asked. A caller may still force `attachment`.
- The policy is `sandbox; default-src 'none'`: a document opened from the file gets a unique
  origin, runs no script, submits no form and loads nothing. Inline audio and video get
  `sandbox allow-same-origin; default-src 'none'; media-src 'self'` instead, because the page a
  browser builds around a media file opened on its own loads that same file again: from a
  unique origin, Chromium refuses it (neither CORS nor our CORP allow it) and shows a dead
  player. Keeping the origin is safe only because scripts stay forbidden (no `allow-scripts`),
  and these types never carry markup.
- PDF is not on the inline list: the sandbox keeps Chromium's and Safari's PDF viewers from
  rendering (a blank page), and a downloaded PDF opens in the person's reader.
- A file missing from storage raises the storage's error (`FileNotFoundError` on disk); the
  calling view decides whether that is a 404.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.core.files import File
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date, parse_http_date_safe

CHUNK_SIZE = 64 * 1024

# The only content types served `inline` (see the module's docstring); never SVG, HTML or XML.
INLINE_CONTENT_TYPES = frozenset(
    {
        "video/mp4",
        "video/webm",
        "video/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/ogg",
        "audio/wav",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)
FILE_CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'"
PLAYER_CONTENT_SECURITY_POLICY = "sandbox allow-same-origin; default-src 'none'; media-src 'self'"

# RFC 9110 §5.6.2 token, for the range unit before "=".
_RANGE_UNIT = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(.*)$", re.DOTALL)
_BYTE_RANGE = re.compile(r"^([0-9]+)-([0-9]*)$")
_SUFFIX_RANGE = re.compile(r"^-([0-9]+)$")
# What may stay in the quoted ASCII filename: no quotes, backslashes, separators or controls.
_UNSAFE_ASCII_FILENAME = re.compile(r"[^A-Za-z0-9 ._()+,=@-]")


@dataclass(frozen=True)
class _ByteRange:
    first: int
    last: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.last - self.first + 1


class _Unsatisfiable(Exception):
    """The Range header is malformed or asks for bytes the file does not have: answer 416."""


def ranged_file_response(
    request: HttpRequest,
    *,
    file: File,
    content_type: str,
    filename: str | None = None,
    as_attachment: bool = False,
) -> HttpResponseBase:
    """Return a response serving `file` whole (200), in part (206) or refusing the range (416).

    `file` is a `File` or `FieldFile` from any storage; it is opened here with `open("rb")` and
    closed when the response is closed (after the last chunk, or when the client goes away).
    `filename` (default: the last part of the file's storage name) goes into an RFC 6266
    `Content-Disposition`: `inline` only if `content_type` is on `INLINE_CONTENT_TYPES` and the
    caller did not ask for `as_attachment`, else `attachment`. The caller must already have
    checked that the person may see the file; the response is marked private and uncacheable.
    The return value is a `StreamingHttpResponse` for GET and an `HttpResponse` otherwise, hence
    the common base class as the annotation.
    """
    size = file.size
    modified = _modified_time(file)
    etag = f'W/"{size:x}-{int(modified.timestamp() * 1_000_000):x}"' if modified else None

    byte_range: _ByteRange | None = None
    range_header = request.headers.get("Range")
    if (
        range_header is not None
        and request.method in {"GET", "HEAD"}
        and _if_range_holds(request.headers.get("If-Range"), etag=etag, modified=modified)
    ):
        try:
            byte_range = _parse_range(range_header, size)
        except _Unsatisfiable:
            refusal = HttpResponse(status=416, content_type="text/plain")
            refusal["Content-Range"] = f"bytes */{size}"
            refusal["Content-Length"] = "0"
            _add_common_headers(refusal, etag=etag, modified=modified)
            return refusal

    if byte_range is None:
        status, first, length = 200, 0, size
    else:
        status, first, length = 206, byte_range.first, byte_range.length

    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        file.open("rb")
        response = StreamingHttpResponse(_FileChunks(file, first, length), status=status)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {byte_range.first}-{byte_range.last}/{size}"
    response["Content-Length"] = str(length)
    response["Content-Type"] = content_type
    inline = not as_attachment and _media_type(content_type) in INLINE_CONTENT_TYPES
    response["Content-Disposition"] = _content_disposition(
        filename if filename is not None else _storage_basename(file.name),
        as_attachment=not inline,
    )
    _add_common_headers(response, etag=etag, modified=modified)
    if inline and _media_type(content_type).startswith(("audio/", "video/")):
        response["Content-Security-Policy"] = PLAYER_CONTENT_SECURITY_POLICY
    return response


def _media_type(content_type: str) -> str:
    """Return "type/subtype" of a Content-Type, lower case and without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


class _FileChunks:
    """Iterate over `length` bytes of `file` from `first`, in chunks of at most CHUNK_SIZE.

    Django calls `close()` when the response is closed, whether or not the body was read, so
    the file (and, on S3, its connection) is released even for an aborted download.
    """

    def __init__(self, file: File, first: int, length: int) -> None:
        self.file = file
        self.first = first
        self.length = length

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.first)
        remaining = self.length
        while remaining > 0:
            chunk = self.file.read(min(CHUNK_SIZE, remaining))
            if not chunk:  # the file shrank since its size was read; stop rather than spin
                return
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.file.close()


def _parse_range(header: str, size: int) -> _ByteRange | None:
    """Return the one byte range asked for, None to serve the whole file, or raise _Unsatisfiable.

    None means: a unit other than bytes, or several ranges (both ignored, as RFC 9110 allows).
    """
    match = _RANGE_UNIT.match(header.strip())
    if match is None:
        raise _Unsatisfiable
    unit, range_set = match.groups()
    if unit.lower() != "bytes":
        return None
    # Empty list elements ("0-9, ,") are allowed by RFC 9110 §5.6.1 and skipped.
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if not specs:
        raise _Unsatisfiable
    ranges = [_parse_range_spec(spec, size) for spec in specs]  # raises on any malformed one
    if len(ranges) > 1:
        return None
    if ranges[0] is None:
        raise _Unsatisfiable
    return ranges[0]


def _parse_range_spec(spec: str, size: int) -> _ByteRange | None:
    """Return the range `spec` selects in a file of `size` bytes, None if it selects nothing.

    Raise _Unsatisfiable if `spec` is malformed.
    """
    try:
        if match := _BYTE_RANGE.match(spec):
            first = int(match[1])
            last = int(match[2]) if match[2] else None
            if last is not None and last < first:
                raise _Unsatisfiable
            if first >= size:
                return None
            return _ByteRange(first, size - 1 if last is None else min(last, size - 1))
        if match := _SUFFIX_RANGE.match(spec):
            suffix_length = int(match[1])
            if suffix_length == 0 or size == 0:
                return None
            # A suffix longer than the file selects the whole file (RFC 9110 §14.1.3).
            return _ByteRange(max(0, size - suffix_length), size - 1)
    except ValueError:  # more digits than int() accepts
        raise _Unsatisfiable from None
    raise _Unsatisfiable


def _if_range_holds(if_range: str | None, *, etag: str | None, modified: datetime | None) -> bool:
    """Return whether the Range header may be used, per If-Range (RFC 9110 §13.1.5)."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        # Strong comparison: a weak tag (ours always is) never matches.
        return (
            etag is not None
            and not etag.startswith("W/")
            and not if_range.startswith("W/")
            and if_range == etag
        )
    timestamp = parse_http_date_safe(if_range)
    return timestamp is not None and modified is not None and timestamp == int(modified.timestamp())


def _modified_time(file: File) -> datetime | None:
    """Return the file's modification time if its storage can tell cheaply, else None."""
    storage = getattr(file, "storage", None)
    if storage is None or not file.name:
        return None
    try:
        return storage.get_modified_time(file.name)
    except (NotImplementedError, OSError):
        return None


def _add_common_headers(
    response: HttpResponseBase, *, etag: str | None, modified: datetime | None
) -> None:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if etag is not None:
        response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())


def _storage_basename(name: str | None) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1]


def _content_disposition(filename: str, *, as_attachment: bool) -> str:
    """Return a Content-Disposition value with a filename no browser can misread (RFC 6266).

    Path parts and control characters are dropped. The `filename` parameter carries a plain
    ASCII stand-in (accents stripped, anything risky replaced by "_"); when that differs from the
    real name, `filename*` carries the real name, UTF-8 and percent-encoded (RFC 8187).
    """
    disposition = "attachment" if as_attachment else "inline"
    name = _storage_basename(filename)
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if not name or name in {".", ".."}:
        return disposition
    unaccented = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    ascii_name = _UNSAFE_ASCII_FILENAME.sub("_", unaccented).strip() or "download"
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
