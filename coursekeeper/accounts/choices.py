"""Closed lists a person picks from: roles, countries and time zones."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    INSTRUCTOR = "instructor", _("Instructor")
    SUPPORT = "support", _("Support and administration")
    OPERATIONS = "operations", _("Operations")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    OWNER = "owner", _("School owner")


# The countries a European course provider sells to: the EU, the EEA, Switzerland and the UK.
COUNTRY_CHOICES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IS", _("Iceland")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LI", _("Liechtenstein")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("GB", _("United Kingdom")),
]

# European zones first (where our learners are), then UTC; names are IANA identifiers, which
# people recognise by their city.
TIME_ZONE_CHOICES = [
    (zone, zone.replace("_", " "))
    for zone in (
        "Europe/Copenhagen",
        "Europe/Berlin",
        "Europe/Vienna",
        "Europe/Zurich",
        "Europe/Amsterdam",
        "Europe/Brussels",
        "Europe/Luxembourg",
        "Europe/Paris",
        "Europe/Madrid",
        "Europe/Rome",
        "Europe/Stockholm",
        "Europe/Oslo",
        "Europe/Helsinki",
        "Europe/Tallinn",
        "Europe/Riga",
        "Europe/Vilnius",
        "Europe/Warsaw",
        "Europe/Prague",
        "Europe/Bratislava",
        "Europe/Budapest",
        "Europe/Ljubljana",
        "Europe/Zagreb",
        "Europe/Bucharest",
        "Europe/Sofia",
        "Europe/Athens",
        "Asia/Nicosia",
        "Europe/Malta",
        "Europe/Lisbon",
        "Europe/Dublin",
        "Europe/London",
        "Atlantic/Reykjavik",
        "Atlantic/Faroe",
        "America/Nuuk",
        "UTC",
    )
]

# Each language is named in itself, so a person finds their own in any interface language.
LANGUAGE_CHOICES = [("da", "Dansk"), ("de", "Deutsch"), ("en", "English")]
