"""The statistics app holds counts only (R24): nothing about anyone.

The counts are not personal data, but making them is: a signed-in person's page view is read,
for a moment, to add one to a count (anonymising is processing too). So counting is a purpose
of its own, on legitimate interest, that a signed-in person can object to and that a
restriction pauses; a visitor who is not signed in cannot be recognised, so there is nobody to
ask the gate about (GDPR Art. 11), and their views are counted as before.
"""

from django.utils.translation import gettext_lazy as _

from coursekeeper.privacy.declarations import declare_not_personal
from coursekeeper.privacy.paths import processing_path
from coursekeeper.privacy.purposes import DataSubjects, LegalBasis, Purpose, register_purpose
from coursekeeper.stats.models import PageViewCount, ScreenSizeCount

STATISTICS = register_purpose(
    Purpose(
        "statistics",
        LegalBasis.LEGITIMATE_INTEREST,
        _("Statistics"),
        _(
            "To count how often each page is viewed per day, and how wide screens are, so we "
            "can see which courses and pages are used."
        ),
        balancing_note=_(
            "Only counts per day are kept: no cookie is set for them and nothing is stored that "
            "could lead back to you, so the intrusion is a moment's addition."
        ),
        objectable=True,
        data_subjects=(DataSubjects.LEARNERS, DataSubjects.VISITORS),
    )
)

declare_not_personal(
    PageViewCount,
    reason="page views counted per day, page and language; no cookie, IP address, browser "
    "detail or account is stored, so no count can be traced to anyone",
)
declare_not_personal(
    ScreenSizeCount,
    reason="browser sessions counted per day and broad screen-width step, only where "
    "statistics cookies were accepted; nothing identifies the device or the person",
)

COUNT_PAGE_VIEW = processing_path(
    STATISTICS,
    name="stats.count_page_view",
    title=_("counting your page views"),
    where="coursekeeper.stats.services.count_page_view",
    rehearsal="coursekeeper.stats.factories.rehearse_count_page_view",
)
COUNT_SCREEN_SIZE = processing_path(
    STATISTICS,
    name="stats.count_screen_size",
    title=_("counting the width of your screen"),
    where="coursekeeper.stats.services.count_screen_size",
    rehearsal="coursekeeper.stats.factories.rehearse_count_screen_size",
)
