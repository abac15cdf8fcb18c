"""Static-file finders that treat a path leaving the static folders as simply not there.

`runserver --insecure` (and `DEBUG`) serve `/static/<path>` through Django's own finders. A path
such as `../manage.py` (also sent as `%2e%2e/manage.py` or `..%2fmanage.py`, which the server
decodes to the same) makes the stock finders raise SuspiciousFileOperation, and the static
handler lets that through as a 500. These finders answer "not found" for such a path before
joining it to any folder, so the answer is the same 404 as for any file that does not exist,
and nothing about the folders is told. Every other path is the stock finders' business.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from django.contrib.staticfiles import finders

if TYPE_CHECKING:
    # To mypy the mixin is the finder it is mixed into.
    from django.contrib.staticfiles.finders import BaseFinder as _Finder
else:
    _Finder = object


def leaves_static_folders(path: str) -> bool:
    """Return whether `path`, relative to a static folder, points outside of it."""
    normalized = posixpath.normpath(path.replace("\\", "/"))
    return normalized == ".." or normalized.startswith(("../", "/"))


class _StaysInsideStaticFolders(_Finder):
    def find(self, path, find_all=False, **kwargs):
        if leaves_static_folders(path):
            return []  # what the stock finders answer for a file they do not have
        return super().find(path, find_all=find_all, **kwargs)


class FileSystemFinder(_StaysInsideStaticFolders, finders.FileSystemFinder):
    """Django's finder for STATICFILES_DIRS, refusing paths that leave them."""


class AppDirectoriesFinder(_StaysInsideStaticFolders, finders.AppDirectoriesFinder):
    """Django's finder for each app's `static/` folder, refusing paths that leave them."""
