"""Decide what an uploaded file is from its bytes, and refuse every file not on one short list.

An uploaded file is served back to other people (a lesson's video, a handout), so what it *is*
decides what a browser does with it. The browser's `Content-Type` is whatever the uploader's
machine claims, and a name is only a name: neither is trusted here.

Design:
- What is allowed (`ALLOWED_TYPES`): videos (MP4/M4V, WebM, Ogg), audio (MP3, M4A, AAC, Ogg and
  Opus, WAV), PDF, images (PNG, JPEG, GIF, WebP), office documents (Word, Excel, PowerPoint as
  OOXML and as the older OLE2 files; OpenDocument text, spreadsheet, presentation), ZIP archives,
  and plain text and CSV. Not allowed, whatever their name: HTML, SVG (an image that may carry
  script), XML, JavaScript, executables and anything not recognised.
- How it is recognised: by content only (`sniff`). Media and images by their signature (ISO
  BMFF `ftyp` with a known brand, the EBML header with DocType "webm", the first Ogg pages' codec,
  an MPEG audio or ADTS frame header, after an ID3 tag if there is one, RIFF WAVE/WEBP, `%PDF-`,
  the PNG/JPEG/GIF magic). ZIP files are opened with `zipfile` (nothing is extracted): OOXML by
  its `[Content_Types].xml` naming the main part and the folder that holds it, OpenDocument by
  its `mimetype` entry; any other readable ZIP is an archive. OLE2 files by the names in their
  directory (WordDocument, Workbook, PowerPoint Document). Text is what is left that has no
  NUL or control bytes and no markup. At most the first 64 KiB, a ZIP's directory and one small
  member, or an OLE2 file's directory are read.
- The name must agree with the content (`identify`): its ending must be one the detected type
  may carry, so `photo.png` holding HTML, or `movie.mp4` that is a ZIP, is refused. Some
  content fits several types (an MP4 container may be a video or audio, a DOCX is also a ZIP);
  the name picks among those.
- What is stored is the detected media type, never the claimed one. What is served inline is
  decided elsewhere, in `web.ranges`, from that type: audio, video and raster images play or show
  in the page; everything else, PDFs and text included, is a download. Every file response is
  sandboxed, so even a file that slipped past this module could not run script on the site.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The type a stored file gets when it could not be checked or is not allowed: served only as a
# download, sandboxed.
UNCHECKED_MEDIA_TYPE = "application/octet-stream"

# Enough for every signature below, and enough text to tell text from markup.
HEAD_SIZE = 64 * 1024
# The largest ZIP member read to recognise an office document.
_MEMBER_LIMIT = 256 * 1024
# Sectors of a chain followed in an OLE2 file before giving up (a directory sector of 512 bytes
# holds 4 entries).
_OLE2_MAX_SECTORS = 256


class Category(TextChoices):
    """What a file is for; the order is the order in which the allowed kinds are listed."""

    VIDEO = "video", _("videos")
    AUDIO = "audio", _("audio")
    DOCUMENT = "document", _("documents")
    IMAGE = "image", _("images")
    ARCHIVE = "archive", _("archives")
    TEXT = "text", _("plain text")


@dataclass(frozen=True)
class AllowedType:
    media_type: str
    extensions: tuple[str, ...]  # lower case, without the dot; the first is the usual one
    category: Category
    label: Promise  # what a person calls it: "MP4 video"


_TYPES = (
    AllowedType("video/mp4", ("mp4", "m4v"), Category.VIDEO, _("MP4 video")),
    AllowedType("video/webm", ("webm",), Category.VIDEO, _("WebM video")),
    AllowedType("video/ogg", ("ogv", "ogg"), Category.VIDEO, _("Ogg video")),
    AllowedType("audio/mpeg", ("mp3",), Category.AUDIO, _("MP3 audio")),
    AllowedType("audio/mp4", ("m4a",), Category.AUDIO, _("M4A audio")),
    AllowedType("audio/aac", ("aac",), Category.AUDIO, _("AAC audio")),
    AllowedType("audio/ogg", ("ogg", "oga", "opus"), Category.AUDIO, _("Ogg audio")),
    AllowedType("audio/wav", ("wav",), Category.AUDIO, _("WAV audio")),
    AllowedType("application/pdf", ("pdf",), Category.DOCUMENT, _("PDF document")),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        Category.DOCUMENT,
        _("Word document"),
    ),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        Category.DOCUMENT,
        _("Excel workbook"),
    ),
    AllowedType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        Category.DOCUMENT,
        _("PowerPoint presentation"),
    ),
    AllowedType(
        "application/vnd.oasis.opendocument.text",
        ("odt",),
        Category.DOCUMENT,
        _("OpenDocument text"),
    ),
    AllowedType(
        "application/vnd.oasis.opendocument.spreadsheet",
        ("ods",),
        Category.DOCUMENT,
        _("OpenDocument spreadsheet"),
    ),
    AllowedType(
        "application/vnd.oasis.opendocument.presentation",
        ("odp",),
        Category.DOCUMENT,
        _("OpenDocument presentation"),
    ),
    AllowedType("application/msword", ("doc",), Category.DOCUMENT, _("Word 97-2003 document")),
    AllowedType(
        "application/vnd.ms-excel", ("xls",), Category.DOCUMENT, _("Excel 97-2003 workbook")
    ),
    AllowedType(
        "application/vnd.ms-powerpoint",
        ("ppt",),
        Category.DOCUMENT,
        _("PowerPoint 97-2003 presentation"),
    ),
    AllowedType("image/png", ("png",), Category.IMAGE, _("PNG image")),
    AllowedType("image/jpeg", ("jpg", "jpeg"), Category.IMAGE, _("JPEG image")),
    AllowedType("image/gif", ("gif",), Category.IMAGE, _("GIF image")),
    AllowedType("image/webp", ("webp",), Category.IMAGE, _("WebP image")),
    AllowedType("application/zip", ("zip",), Category.ARCHIVE, _("ZIP archive")),
    AllowedType("text/plain", ("txt",), Category.TEXT, _("plain text")),
    AllowedType("text/csv", ("csv",), Category.TEXT, _("CSV table")),
)
ALLOWED_TYPES: dict[str, AllowedType] = {allowed.media_type: allowed for allowed in _TYPES}
ALLOWED_EXTENSIONS = frozenset(ext for allowed in _TYPES for ext in allowed.extensions)


def extensions_of(*categories: Category) -> str:
    """Return the name endings files of these categories may have: ".mp4, .m4v, .webm, …"."""
    endings = (
        f".{ext}"
        for allowed in _TYPES
        if allowed.category in categories
        for ext in allowed.extensions
    )
    return ", ".join(dict.fromkeys(endings))


def _allowed_kinds() -> str:
    return ", ".join(f"{category.label} ({extensions_of(category)})" for category in Category)


# "videos (.mp4, .m4v, …), audio (…), …", in the active language.
allowed_kinds = lazy(_allowed_kinds, str)

NOT_ALLOWED = format_lazy(
    "{} {}",
    _("This kind of file cannot be uploaded."),
    format_lazy(_("Allowed are: {kinds}."), kinds=allowed_kinds()),
)
NAME_DISAGREES = _(
    "The file's name “%(name)s” does not match its content, which is: %(content)s. "
    "Upload the file you meant, or give it a name that matches what it is."
)
EMPTY = _("The file is empty.")


def identify(file: IO[bytes], *, name: str) -> AllowedType:
    """Return the allowed type of `file`, judged by its content, that its `name` agrees with.

    Raise ValidationError (code "empty", "not_allowed" or "name_disagrees") with a translated
    message otherwise. `file` is any seekable binary file (an upload, a stored file); it is read
    from the start and left at the start.
    """
    candidates = sniff(file)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if candidates is None:
        raise ValidationError(EMPTY, code="empty")
    for candidate in candidates:
        if extension in candidate.extensions:
            return candidate
    if not candidates or extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(NOT_ALLOWED, code="not_allowed")
    raise ValidationError(
        NAME_DISAGREES,
        code="name_disagrees",
        params={"name": name, "content": candidates[0].label},
    )


def sniff(file: IO[bytes]) -> tuple[AllowedType, ...] | None:
    """Return the allowed types `file`'s content fits, most specific first; None if it is empty.

    An empty tuple means the content is none of the allowed kinds.
    """
    file.seek(0)
    try:
        head = file.read(HEAD_SIZE)
        if not head:
            return None
        media_types = _media_types_of(head, file)
    finally:
        file.seek(0)
    return tuple(ALLOWED_TYPES[media_type] for media_type in media_types)


def category_of(media_type: str) -> Category | None:
    """Return the category of a stored media type, None if it is not an allowed one."""
    allowed = ALLOWED_TYPES.get(media_type)
    return allowed.category if allowed is not None else None


def _media_types_of(head: bytes, file: IO[bytes]) -> tuple[str, ...]:
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return ("video/webm",) if _ebml_doctype(head) == b"webm" else ()
    if head.startswith(b"OggS"):
        return _ogg(head)
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return ("audio/wav",)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ("image/webp",)
    if head.startswith(b"%PDF-"):
        return ("application/pdf",)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("image/png",)
    if head.startswith(b"\xff\xd8\xff"):
        return ("image/jpeg",)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ("image/gif",)
    if head.startswith(b"PK\x03\x04"):
        return _zip(file)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole2(file)
    if head.startswith(b"ID3") or head[:1] == b"\xff":
        return _mpeg_audio(head, file)
    return _text(head)


# ISO base media (MP4): the major brand of the leading `ftyp` box. QuickTime ("qt  "), 3GPP and
# HEIF images use the same box with other brands and are not allowed.
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B "})
_VIDEO_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"}
    | {b"M4V ", b"M4VH", b"M4VP", b"mmp4"}
)


def _iso_media(head: bytes) -> tuple[str, ...]:
    (box_size,) = struct.unpack(">I", head[:4])
    brand = head[8:12]
    if box_size < 16:
        return ()
    if brand in _AUDIO_BRANDS:
        return ("audio/mp4",)
    if brand in _VIDEO_BRANDS:
        return ("video/mp4", "audio/mp4")  # the same container holds sound alone as well
    return ()


def _ebml_doctype(head: bytes) -> bytes | None:
    """Return the DocType of a Matroska/WebM file's EBML header ("webm", "matroska")."""
    at = head.find(b"\x42\x82", 4, 64)
    if (
        at < 0 or at + 3 > len(head) or not head[at + 2] & 0x80
    ):  # only the one-byte size form, as muxers write it
        return None
    length = head[at + 2] & 0x7F
    return head[at + 3 : at + 3 + length]


def _ogg(head: bytes) -> tuple[str, ...]:
    # The first pages carry each stream's identification header; a video has a Theora stream.
    if b"\x80theora" in head:
        return ("video/ogg",)
    if b"\x01vorbis" in head or b"OpusHead" in head:
        return ("audio/ogg",)
    return ()


def _mpeg_audio(head: bytes, file: IO[bytes]) -> tuple[str, ...]:
    """Recognise MP3 and ADTS AAC by their first frame header, after an ID3v2 tag if any."""
    offset = 0
    if head.startswith(b"ID3") and len(head) >= 10:
        size = 0
        for byte in head[6:10]:  # a "syncsafe" integer: 7 bits a byte
            if byte & 0x80:
                return ()
            size = (size << 7) | byte
        offset = 10 + size + (10 if head[5] & 0x10 else 0)
    file.seek(offset)
    frame = file.read(4096).lstrip(b"\x00")[:4]  # some taggers pad beyond the tag's size
    if len(frame) < 4 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return ()
    version, layer = (frame[1] >> 3) & 0b11, (frame[1] >> 1) & 0b11
    if layer == 0 and version in (0b10, 0b11) and (frame[2] >> 2) & 0xF < 13:
        return ("audio/aac",)  # ADTS: "layer" 0, MPEG-2/4, a valid sampling frequency index
    bitrate, sample_rate = frame[2] >> 4, (frame[2] >> 2) & 0b11
    if version != 0b01 and layer != 0 and bitrate not in (0, 0xF) and sample_rate != 0b11:
        return ("audio/mpeg",)
    return ()


_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "word/",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "xl/",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "ppt/",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
_OPENDOCUMENT_TYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError)
_ZIP_MEMBER_ERRORS = (*_ZIP_ERRORS, NotImplementedError, RuntimeError)  # method, encryption


def _zip(file: IO[bytes]) -> tuple[str, ...]:
    try:
        archive = zipfile.ZipFile(file)
    except _ZIP_ERRORS:
        return ()
    with archive:
        names = set(archive.namelist())
        document = None
        if "mimetype" in names:
            mimetype = _member(archive, "mimetype").strip().decode("ascii", "replace")
            document = mimetype if mimetype in _OPENDOCUMENT_TYPES else None
        elif "[Content_Types].xml" in names:
            content_types = _member(archive, "[Content_Types].xml")
            document = next(
                (
                    media_type
                    for media_type, (folder, main_part) in _OOXML_MAIN_PARTS.items()
                    if main_part in content_types and any(n.startswith(folder) for n in names)
                ),
                None,
            )
    return (document, "application/zip") if document else ("application/zip",)


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(_MEMBER_LIMIT)
    except _ZIP_MEMBER_ERRORS:
        return b""


_OLE2_STREAMS = {
    "WordDocument": "application/msword",
    "Workbook": "application/vnd.ms-excel",
    "Book": "application/vnd.ms-excel",  # Excel 5/95 files, which Excel still opens
    "PowerPoint Document": "application/vnd.ms-powerpoint",
}


def _ole2(file: IO[bytes]) -> tuple[str, ...]:
    """Recognise a Word, Excel or PowerPoint 97-2003 file by the streams its directory names.

    Other OLE2 files (installers, Outlook messages, Visio drawings) are not allowed.
    """
    names = _ole2_directory_names(file)
    for stream, media_type in _OLE2_STREAMS.items():
        if stream in names:
            return (media_type,)
    return ()


def _ole2_directory_names(file: IO[bytes]) -> set[str]:
    """Return the entry names in an OLE2 compound file's directory ([MS-CFB] §2.2, §2.6).

    Follows the directory's sector chain through the FAT, whose sectors the header's DIFAT
    lists (the first 109, which cover files up to about 7 MB with 512-byte sectors, and then the
    DIFAT chain). A damaged file yields what could be read, and reading stops after
    `_OLE2_MAX_SECTORS`.
    """
    file.seek(0)
    header = file.read(512)
    if len(header) < 512:
        return set()
    (sector_shift,) = struct.unpack_from("<H", header, 0x1E)
    if sector_shift not in (9, 12):
        return set()
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    (first_difat, difat_count) = struct.unpack_from("<II", header, 0x44)
    (first_directory,) = struct.unpack_from("<I", header, 0x30)
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))

    def read_sector(number: int) -> bytes:
        file.seek((number + 1) * sector_size)
        return file.read(sector_size)

    difat = first_difat
    for _sector in range(min(difat_count, _OLE2_MAX_SECTORS)):
        block = read_sector(difat)
        if len(block) < sector_size:
            break
        entries = struct.unpack(f"<{per_sector}I", block)
        fat_sectors.extend(entries[:-1])
        difat = entries[-1]

    def next_sector(number: int) -> int | None:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            return None
        block = read_sector(fat_sectors[index])
        if len(block) < sector_size:
            return None
        return struct.unpack_from("<I", block, slot * 4)[0]

    names: set[str] = set()
    sector: int | None = first_directory
    seen: set[int] = set()
    while sector is not None and sector < 0xFFFFFFFA and sector not in seen:
        if len(seen) >= _OLE2_MAX_SECTORS:
            break
        seen.add(sector)
        block = read_sector(sector)
        for start in range(0, len(block) - 127, 128):
            (name_length,) = struct.unpack_from("<H", block, start + 64)
            if 2 <= name_length <= 64:
                raw = block[start : start + name_length - 2]
                names.add(raw.decode("utf-16-le", "replace"))
        sector = next_sector(sector)
    return names


# Control bytes other than tab, line feed, form feed and carriage return never occur in text.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What makes a browser or a viewer treat text as a document that may run script.
_MARKUP = re.compile(
    rb"<\s*(?:script|html|head|body|svg|iframe|object|embed|meta|link|style|!doctype|\?xml)",
    re.IGNORECASE,
)


def _text(head: bytes) -> tuple[str, ...]:
    """Recognise plain text: UTF-8 (or a one-byte encoding) with no controls and no markup.

    Markup is refused even in a `.txt`: what is on the list as text must be text.
    """
    if _CONTROL.search(head) or _MARKUP.search(head):
        return ()
    body = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if body.startswith(b"<"):
        return ()
    return ("text/plain", "text/csv")
