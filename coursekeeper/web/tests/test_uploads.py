"""What an uploaded file is, judged by its content, and refused unless on the list (R38)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from coursekeeper.web import uploads
from coursekeeper.web.tests import samples

ACCEPTED = [
    ("welcome.mp4", samples.DEMO_VIDEO.read_bytes(), "video/mp4"),
    ("clip.mp4", samples.mp4(b"mp42"), "video/mp4"),
    ("clip.m4v", samples.mp4(b"M4V "), "video/mp4"),
    ("talk.m4a", samples.mp4(b"M4A "), "audio/mp4"),
    ("talk.m4a", samples.mp4(b"isom"), "audio/mp4"),  # the same container, sound alone
    ("clip.webm", samples.webm(), "video/webm"),
    ("clip.ogv", samples.OGG_THEORA, "video/ogg"),
    ("talk.ogg", samples.OGG_VORBIS, "audio/ogg"),
    ("talk.opus", samples.OGG_OPUS, "audio/ogg"),
    ("talk.mp3", samples.mp3(), "audio/mpeg"),
    ("talk.mp3", samples.mp3(id3=False), "audio/mpeg"),
    ("talk.aac", samples.AAC, "audio/aac"),
    ("talk.wav", samples.wav(), "audio/wav"),
    ("course-handbook.pdf", samples.DEMO_HANDBOOK.read_bytes(), "application/pdf"),
    ("chart.png", samples.image("PNG"), "image/png"),
    ("photo.jpg", samples.image("JPEG"), "image/jpeg"),
    ("photo.JPEG", samples.image("JPEG"), "image/jpeg"),
    ("anim.gif", samples.image("GIF"), "image/gif"),
    ("photo.webp", samples.image("WEBP"), "image/webp"),
    (
        "notes.docx",
        samples.ooxml("docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "prices.xlsx",
        samples.ooxml("xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "slides.pptx",
        samples.ooxml("pptx"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("notes.odt", samples.opendocument("text"), "application/vnd.oasis.opendocument.text"),
    (
        "prices.ods",
        samples.opendocument("spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "slides.odp",
        samples.opendocument("presentation"),
        "application/vnd.oasis.opendocument.presentation",
    ),
    ("notes.doc", samples.ole2("WordDocument"), "application/msword"),
    ("prices.xls", samples.ole2("Workbook"), "application/vnd.ms-excel"),
    ("slides.ppt", samples.ole2("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ("exercises.zip", samples.ZIP, "application/zip"),
    ("notes-as-archive.zip", samples.ooxml("docx"), "application/zip"),  # a DOCX is a ZIP
    ("readme.txt", "Kapitel 1: Bogføring.\r\nSee the price list.\n".encode(), "text/plain"),
    ("prices.csv", b"item;price\nbook;10\n", "text/csv"),
]


@pytest.mark.parametrize(
    ("name", "content", "media_type"), ACCEPTED, ids=[a[0] + "-" + a[2] for a in ACCEPTED]
)
def test_r38_an_allowed_file_is_identified_by_its_content(name, content, media_type):
    file = io.BytesIO(content)
    file.seek(17)

    assert uploads.identify(file, name=name).media_type == media_type
    assert file.tell() == 0  # left at the start, for the storage to save it whole


REFUSED = [
    ("drawing.svg", samples.SVG_WITH_SCRIPT, "not_allowed"),
    ("notes.html", samples.html_loading("/lessons/1/media/"), "not_allowed"),
    ("helper.js", samples.HELPER_JS, "not_allowed"),
    ("data.xml", b'<?xml version="1.0"?><data/>', "not_allowed"),
    ("setup.exe", b"MZ\x90\x00\x03" + bytes(60) + b"PE\x00\x00", "not_allowed"),
    ("notes.txt", samples.html_loading("/x.js"), "not_allowed"),  # markup is not text
    ("notes.txt", b"  \n<p onclick=alert(1)>hi</p>", "not_allowed"),
    ("movie.mp4", samples.html_loading("/x.js"), "not_allowed"),
    ("photo.png", samples.SVG_WITH_SCRIPT, "not_allowed"),
    ("movie.mov", samples.mp4(b"qt  "), "not_allowed"),  # QuickTime is not on the list
    ("movie.mp4", samples.mp4(b"qt  "), "not_allowed"),
    ("photo.heic", samples.mp4(b"heic"), "not_allowed"),
    ("movie.webm", samples.webm(b"matroska"), "not_allowed"),
    ("installer.doc", samples.ole2("\x05MsiInformation"), "not_allowed"),
    ("broken.zip", b"PK\x03\x04" + bytes(40), "not_allowed"),
    ("no-extension", samples.image("PNG"), "not_allowed"),
    ("handbook.pdf", samples.image("PNG"), "name_disagrees"),
    ("movie.mp4", samples.ZIP, "name_disagrees"),
    ("notes.docx", samples.ZIP, "name_disagrees"),  # a ZIP without the Word parts
    ("notes.docx", samples.ooxml("xlsx"), "name_disagrees"),
    ("talk.mp3", samples.wav(), "name_disagrees"),
    ("prices.xls", samples.ole2("WordDocument"), "name_disagrees"),
    ("empty.pdf", b"", "empty"),
]


@pytest.mark.parametrize(
    ("name", "content", "code"), REFUSED, ids=[f"{r[0]}-{r[2]}-{i}" for i, r in enumerate(REFUSED)]
)
def test_r38_a_file_not_on_the_list_or_misnamed_is_refused(name, content, code):
    with pytest.raises(ValidationError) as refusal:
        uploads.identify(io.BytesIO(content), name=name)

    assert refusal.value.code == code


def test_r38_the_refusals_say_what_is_allowed_and_what_the_file_really_is():
    with pytest.raises(ValidationError) as not_allowed:
        uploads.identify(io.BytesIO(samples.HELPER_JS), name="helper.js")
    with pytest.raises(ValidationError) as disagrees:
        uploads.identify(io.BytesIO(samples.image("PNG")), name="handbook.pdf")

    assert not_allowed.value.messages == [
        "This kind of file cannot be uploaded. Allowed are: "
        "videos (.mp4, .m4v, .webm, .ogv, .ogg), audio (.mp3, .m4a, .aac, .ogg, .oga, .opus, "
        ".wav), documents (.pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt), "
        "images (.png, .jpg, .jpeg, .gif, .webp), archives (.zip), plain text (.txt, .csv)."
    ]
    assert disagrees.value.messages == [
        "The file's name “handbook.pdf” does not match its content, which is: PNG image. "
        "Upload the file you meant, or give it a name that matches what it is."
    ]


def test_r38_svg_is_never_an_allowed_image():
    assert "svg" not in uploads.ALLOWED_EXTENSIONS
    assert not [media_type for media_type in uploads.ALLOWED_TYPES if "svg" in media_type]
    assert not [media_type for media_type in uploads.ALLOWED_TYPES if "html" in media_type]


def test_a_large_text_file_is_judged_by_its_first_part_and_not_read_whole():
    class CountingFile(io.BytesIO):
        read_sizes: list[int] = []

        def read(self, size=-1):
            self.read_sizes.append(size)
            return super().read(size)

    file = CountingFile(b"item,price\n" + b"book,10\n" * 200_000)

    assert uploads.identify(file, name="prices.csv").media_type == "text/csv"
    assert file.read_sizes == [uploads.HEAD_SIZE]
