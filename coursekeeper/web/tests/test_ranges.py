"""Serving stored files with HTTP Range support: seeking in videos and resuming downloads (R5)."""

from __future__ import annotations

import hashlib
import os
import secrets
import tracemalloc
from datetime import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import RequestFactory
from django.utils.http import http_date

from coursekeeper.web.ranges import CHUNK_SIZE, ranged_file_response

SIZE = 1000


@pytest.fixture
def storage(tmp_path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


@pytest.fixture
def payload() -> bytes:
    return secrets.token_bytes(SIZE)


def field_file(storage, name: str) -> FieldFile:
    """Return the stored file `name` as a model's FileField would hand it to a view."""
    # No model owns it: FieldFile needs its instance only to save, which these tests never do.
    return FieldFile(None, FileField(storage=storage), name)  # type: ignore[arg-type]


def stored_file(storage, name: str, content: bytes) -> FieldFile:
    """Save `content` and return it as a model's FileField would hand it to a view."""
    return field_file(storage, storage.save(name, ContentFile(content)))


@pytest.fixture
def video(storage, payload) -> FieldFile:
    return stored_file(storage, "lessons/intro.mp4", payload)


def serve(file, *, method: str = "get", **headers) -> HttpResponseBase:
    request = getattr(RequestFactory(), method)("/media/lesson/1", headers=headers)
    return ranged_file_response(request, file=file, content_type="video/mp4")


def body_of(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return body


def test_r5_without_range_the_whole_file_is_streamed_as_200(video, payload):
    response = serve(video)

    assert response.status_code == 200
    assert response.streaming
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == "1000"
    assert response["Content-Type"] == "video/mp4"
    assert "Content-Range" not in response
    assert body_of(response) == payload


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=100-199", 100, 199),
        ("bytes=0-0", 0, 0),
        ("bytes=999-999", 999, 999),
        ("bytes=900-", 900, 999),
        ("bytes=-100", 900, 999),
        ("bytes=990-5000", 990, 999),  # a last position beyond the end is cut to the end
        ("Bytes=10-19", 10, 19),  # the range unit is case-insensitive
        ("bytes=10-19, ", 10, 19),  # empty list elements are allowed
    ],
)
def test_r5_a_single_range_is_answered_206_with_exactly_those_bytes(
    video, payload, range_header, first, last
):
    response = serve(video, Range=range_header)

    assert response.status_code == 206
    assert response.streaming
    assert response["Content-Range"] == f"bytes {first}-{last}/1000"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert body_of(response) == payload[first : last + 1]


def test_r5_a_suffix_longer_than_the_file_returns_the_whole_file_as_206(video, payload):
    response = serve(video, Range="bytes=-5000")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 0-999/1000"
    assert response["Content-Length"] == "1000"
    assert body_of(response) == payload


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=5000-6000",  # starts beyond the end
        "bytes=1000-",  # starts exactly at the end
        "bytes=-0",  # an empty suffix selects nothing
        "bytes=abc",
        "bytes=9-2",  # last before first
        "bytes=",
        "bytes=1-2-3",
        "bytes=0-1,abc",  # one malformed range spoils the set
        "bytes=\u0661-\u0662",  # Arabic-Indic digits are not DIGIT
        "garbage",
    ],
)
def test_r5_an_unsatisfiable_or_malformed_range_is_416_with_the_size(video, range_header):
    response = serve(video, Range=range_header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"
    assert response["Content-Length"] == "0"
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(response) == b""
    assert video.closed


def test_r5_several_ranges_are_answered_with_the_whole_file_as_200(video, payload):
    response = serve(video, Range="bytes=0-9,20-29")

    assert response.status_code == 200
    assert "Content-Range" not in response
    assert body_of(response) == payload


def test_a_range_in_an_unknown_unit_is_ignored(video, payload):
    response = serve(video, Range="items=0-9")

    assert response.status_code == 200
    assert body_of(response) == payload


def test_r5_if_range_with_another_validator_sends_the_whole_file(video, payload):
    response = serve(video, Range="bytes=100-199", If_Range='"some-older-version"')

    assert response.status_code == 200
    assert "Content-Range" not in response
    assert body_of(response) == payload


def test_r5_if_range_with_the_weak_etag_sends_the_whole_file_as_rfc_9110_demands(video, payload):
    etag = serve(video, method="head")["ETag"]

    response = serve(video, Range="bytes=100-199", If_Range=etag)

    assert response.status_code == 200
    assert body_of(response) == payload


def test_r5_if_range_with_the_current_last_modified_resumes(video, payload):
    last_modified = serve(video, method="head")["Last-Modified"]

    response = serve(video, Range="bytes=100-199", If_Range=last_modified)

    assert response.status_code == 206
    assert body_of(response) == payload[100:200]


def test_r5_if_range_with_an_older_date_sends_the_whole_file(video, payload):
    response = serve(video, Range="bytes=100-199", If_Range="Mon, 01 Jan 2001 00:00:00 GMT")

    assert response.status_code == 200
    assert body_of(response) == payload


def test_r5_if_range_does_not_turn_a_whole_file_answer_into_a_416(video, payload):
    response = serve(video, Range="bytes=5000-6000", If_Range='"some-older-version"')

    assert response.status_code == 200
    assert body_of(response) == payload


def test_head_has_the_headers_of_get_and_no_body_and_does_not_open_the_file(video):
    response = serve(video, method="head")

    assert response.status_code == 200
    assert isinstance(response, HttpResponse)
    assert not response.streaming
    assert response.content == b""
    assert response["Content-Length"] == "1000"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert video.closed


def test_r5_head_with_a_range_has_the_headers_of_the_206(video):
    response = serve(video, method="head", Range="bytes=-100")

    assert response.status_code == 206
    assert isinstance(response, HttpResponse)
    assert response.content == b""
    assert response["Content-Range"] == "bytes 900-999/1000"
    assert response["Content-Length"] == "100"


def test_protected_files_are_private_unsniffed_and_carry_validators(storage, video):
    modified = storage.get_modified_time(video.name)

    response = serve(video)

    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Last-Modified"] == http_date(modified.timestamp())
    assert response["ETag"] == f'W/"3e8-{int(modified.timestamp() * 1_000_000):x}"'
    assert response["Content-Disposition"] == 'inline; filename="intro.mp4"'
    body_of(response)


def test_a_storage_without_modification_times_gets_no_validators_and_no_local_path_is_needed(
    payload,
):
    class NoTimesStorage(InMemoryStorage):
        def get_modified_time(self, name: str) -> datetime:
            raise NotImplementedError

    file = stored_file(NoTimesStorage(), "exports/person.zip", payload)

    response = serve(file, Range="bytes=10-19")

    assert response.status_code == 206
    assert "ETag" not in response
    assert "Last-Modified" not in response
    assert body_of(response) == payload[10:20]


@pytest.mark.parametrize(
    ("filename", "as_attachment", "expected"),
    [
        ("handbook.pdf", True, 'attachment; filename="handbook.pdf"'),
        (
            "Håndbog \u2013 bogføring.pdf",
            True,
            "attachment; filename=\"Handbog _ bogf_ring.pdf\"; filename*=UTF-8''H%C3%A5ndbog%20%E2%80%93%20bogf%C3%B8ring.pdf",
        ),
        (
            '../../etc/"evil"\r\nSet-Cookie: x.pdf',
            False,
            "inline; filename=\"_evil_Set-Cookie_ x.pdf\"; filename*=UTF-8''%22evil%22Set-Cookie%3A%20x.pdf",
        ),
        ("", False, "inline"),
    ],
)
def test_content_disposition_names_the_file_safely(video, filename, as_attachment, expected):
    request = RequestFactory().get("/")

    response = ranged_file_response(
        request,
        file=video,
        content_type="video/mp4",
        filename=filename,
        as_attachment=as_attachment,
    )

    assert response["Content-Disposition"] == expected
    body_of(response)


STRICT_POLICY = "sandbox; default-src 'none'"
PLAYER_POLICY = "sandbox allow-same-origin; default-src 'none'; media-src 'self'"


@pytest.mark.parametrize(
    ("content_type", "policy"),
    [
        ("video/mp4", PLAYER_POLICY),
        ("video/webm", PLAYER_POLICY),
        ("video/ogg", PLAYER_POLICY),
        ("audio/mpeg", PLAYER_POLICY),
        ("audio/mp4", PLAYER_POLICY),
        ("audio/aac", PLAYER_POLICY),
        ("audio/ogg", PLAYER_POLICY),
        ("audio/wav", PLAYER_POLICY),
        ("image/png", STRICT_POLICY),
        ("image/jpeg", STRICT_POLICY),
        ("image/gif", STRICT_POLICY),
        ("Image/WebP", STRICT_POLICY),
    ],
)
def test_r38_audio_video_and_raster_images_are_shown_inline_sandboxed(video, content_type, policy):
    """A player keeps its origin to load the file it plays; scripts stay forbidden in both."""
    response = ranged_file_response(
        RequestFactory().get("/"), file=video, content_type=content_type
    )

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == 'inline; filename="intro.mp4"'
    assert response["Content-Security-Policy"] == policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    body_of(response)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html",
        "text/html; charset=utf-8",
        "image/svg+xml",
        "application/javascript",
        "text/javascript",
        "application/xml",
        "application/xhtml+xml",
        "text/plain",
        "application/pdf",
        "application/octet-stream",
        "application/zip",
        "",
    ],
)
def test_r38_every_other_type_is_a_sandboxed_download_whatever_the_caller_asks(video, content_type):
    response = ranged_file_response(
        RequestFactory().get("/"), file=video, content_type=content_type, as_attachment=False
    )

    assert response["Content-Disposition"] == 'attachment; filename="intro.mp4"'
    assert response["Content-Security-Policy"] == STRICT_POLICY
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    body_of(response)


def test_r38_a_caller_may_still_make_an_inline_type_a_download(video):
    response = ranged_file_response(
        RequestFactory().get("/"), file=video, content_type="video/mp4", as_attachment=True
    )

    assert response["Content-Disposition"] == 'attachment; filename="intro.mp4"'
    assert response["Content-Security-Policy"] == STRICT_POLICY
    body_of(response)


@pytest.mark.parametrize(
    ("method", "range_header", "policy"),
    [("head", "bytes=0-9", PLAYER_POLICY), ("get", "bytes=5000-", STRICT_POLICY)],
)
def test_r38_head_and_416_answers_carry_the_same_protection(video, method, range_header, policy):
    response = serve(video, method=method, Range=range_header)

    assert response["Content-Security-Policy"] == policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_file_is_closed_when_the_response_is_closed(video):
    response = serve(video, Range="bytes=0-9")
    assert not video.closed

    response.close()  # what the WSGI server does, also when the client went away mid-body

    assert video.closed


def test_r5_a_ranged_read_of_a_50_mb_file_streams_bounded_chunks(storage):
    """Seeking near the start of a long video must not load the video into memory."""
    size = 50 * 1024 * 1024
    first = 1_234_567
    expected = hashlib.sha256()
    path = storage.path("lessons/long.mp4")  # setup only: the code under test never sees it
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as destination:
        for offset in range(0, size, 1024 * 1024):
            block = secrets.token_bytes(1024 * 1024)
            destination.write(block)
            expected.update(block[max(0, first - offset) :] if offset + len(block) > first else b"")
    file = field_file(storage, "lessons/long.mp4")

    tracemalloc.start()
    try:
        response = serve(file, Range=f"bytes={first}-")
        assert isinstance(response, StreamingHttpResponse)
        received = hashlib.sha256()
        chunk_sizes = set()
        total = 0
        for chunk in response:  # its streaming_content, as a sync client reads it
            chunk_sizes.add(len(chunk))
            total += len(chunk)
            received.update(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{size - 1}/{size}"
    assert response["Content-Length"] == str(size - first)
    assert total == size - first
    assert received.hexdigest() == expected.hexdigest()
    assert peak < 2 * 1024 * 1024  # a few chunks, never the 50 MB
    assert max(chunk_sizes) == CHUNK_SIZE == 64 * 1024
