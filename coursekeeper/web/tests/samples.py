"""Small files of every kind the upload check knows, made here rather than committed.

Images and WAV come from the real encoders (Pillow, the standard library's `wave`); containers
without an encoder at hand (WebM, Ogg, MP3, OLE2, office ZIPs) are built to their published
layout, as far as the check reads them. The demo school's video and handbook are real files.
"""

from __future__ import annotations

import io
import struct
import wave
import zipfile

from PIL import Image

from coursekeeper.learning.management.commands.seed_courses import ASSETS

DEMO_VIDEO = ASSETS / "welcome.mp4"
DEMO_HANDBOOK = ASSETS / "course-handbook.pdf"


def image(format_name: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (31, 78, 121)).save(buffer, format=format_name)
    return buffer.getvalue()


def mp4(brand: bytes = b"isom") -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"mp41"
    return ftyp + struct.pack(">I", 8) + b"free" + bytes(64)


def webm(doctype: bytes = b"webm") -> bytes:
    body = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        b"\x42\xf2\x81\x04\x42\xf3\x81\x08"  # max ID and size lengths
        + b"\x42\x82"
        + bytes([0x80 | len(doctype)])
        + doctype
        + b"\x42\x87\x81\x04\x42\x85\x81\x02"  # DocTypeVersion 4, DocTypeReadVersion 2
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67" + bytes(32)


def ogg(first_packet: bytes) -> bytes:
    """One Ogg page ("beginning of stream") carrying a codec's identification packet."""
    header = b"OggS\x00\x02" + bytes(8) + b"\x01\x00\x00\x00" + bytes(8)
    return header + bytes([1, len(first_packet)]) + first_packet


OGG_VORBIS = ogg(b"\x01vorbis" + bytes(22))
OGG_OPUS = ogg(b"OpusHead\x01\x02" + bytes(9))
OGG_THEORA = ogg(b"\x80theora\x03\x02\x01" + bytes(33))


def mp3(*, id3: bool = True) -> bytes:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + bytes(20) if id3 else b""
    frame = b"\xff\xfb\x90\x64" + bytes(413)  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
    return tag + frame * 3


AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(9)  # ADTS, AAC-LC, 44.1 kHz, mono


def wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(1600))
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(first, members[first], compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != first:
                archive.writestr(name, data)
    return buffer.getvalue()


_OOXML = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def ooxml(extension: str) -> bytes:
    part, main = _OOXML[extension]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>'
    ).encode()
    return zip_of(
        {"[Content_Types].xml": content_types, "_rels/.rels": b"<Relationships/>", part: b"<x/>"}
    )


def opendocument(kind: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}".encode()
    return zip_of({"mimetype": mimetype, "content.xml": b"<office/>"}, first="mimetype")


ZIP = zip_of({"readme.txt": b"Exercise files.\n", "data/prices.csv": b"item,price\nbook,10\n"})


def ole2(stream: str) -> bytes:
    """A compound file whose directory spans two sectors, the named stream in the second.

    Sector 0 holds the FAT, sectors 1 and 2 the directory (four 128-byte entries each).
    """
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    fat = struct.pack("<128I", fat_sector, 2, end, *([free] * 125))

    def entry(name: str, entry_type: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), entry_type, 1)
            + struct.pack("<III", free, free, free)
            + bytes(128 - 64 - 4 - 12)
        )

    unused = bytes(128)
    directory = (
        entry("Root Entry", 5)
        + entry("\x05SummaryInformation", 2)
        + entry("\x05DocumentSummaryInformation", 2)
        + entry("CompObj", 2)
        + entry(stream, 2)
        + unused * 3
    )
    return header + fat + directory


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>window.__pwned = true; document.title = 'pwned';</script>"
    b'<rect width="10" height="10"/></svg>\n'
)
HELPER_JS = b"window.__pwned = true; document.title = 'pwned';\n"


def html_loading(script_url: str) -> bytes:
    return (
        f'<!doctype html><html><head><title>notes</title><script src="{script_url}"></script>'
        "</head><body><p>Lesson notes.</p></body></html>\n"
    ).encode()
