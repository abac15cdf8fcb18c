"""Django's admin app, serving the logged site (`admin_site.LoggedAdminSite`) as `admin.site`.

Kept apart from the site itself: INSTALLED_APPS imports this module before any model exists.
"""

from django.contrib.admin.apps import AdminConfig


class LoggedAdminConfig(AdminConfig):
    default_site = "coursekeeper.privacy.access.admin_site.LoggedAdminSite"
