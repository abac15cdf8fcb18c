"""WSGI entry point of the bare project, as `startproject` writes it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_django.settings")
application = get_wsgi_application()
