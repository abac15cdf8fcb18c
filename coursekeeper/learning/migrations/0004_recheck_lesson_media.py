"""Check every stored lesson file by its content, as new uploads are checked.

Until now a lesson's media type was whatever the uploading browser claimed, and the file was
served inline under it, so an HTML or script file uploaded as a lesson could run in a learner's
session. For every lesson with a file, `coursekeeper.web.uploads.identify` judges the stored
bytes and the stored name, exactly as at upload:

- allowed, and the name agrees: `media_type` becomes the detected type (an MP4 claimed as
  "video/quicktime" becomes "video/mp4");
- anything else -- a kind not allowed (HTML, SVG, script), a name that disagrees with the
  content, an empty file -- and a file missing from storage (it cannot be checked, so it is not
  trusted): `media_type` becomes "application/octet-stream".

The file itself is kept: a migration does not delete an instructor's material, and they can
see it in the editor and replace it. Under "application/octet-stream" it is never shown inline:
the media view serves it as a download, sandboxed, with `nosniff`; a video lesson holding it no
longer plays, and the editor asks for a proper file at the lesson's next save. A rerun gives the
same result; reversing changes nothing (the old types were the browsers' claims).
"""

from django.core.exceptions import ValidationError
from django.db import migrations

from coursekeeper.web.uploads import UNCHECKED_MEDIA_TYPE, identify


def recheck_lesson_media(apps, schema_editor) -> None:
    Lesson = apps.get_model("learning", "Lesson")
    for lesson in Lesson.objects.exclude(media="").only("pk", "media", "media_type").iterator():
        media_type = _checked_type(lesson.media)
        if media_type != lesson.media_type:
            Lesson.objects.filter(pk=lesson.pk).update(media_type=media_type)


def _checked_type(media) -> str:
    name = media.name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        with media.open("rb") as file:
            return identify(file, name=name).media_type
    except (OSError, ValidationError):  # missing or unreadable; refused
        return UNCHECKED_MEDIA_TYPE


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_enrollment_access_until")]

    operations = [migrations.RunPython(recheck_lesson_media, migrations.RunPython.noop)]
