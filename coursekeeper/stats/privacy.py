"""The statistics app holds counts only (R24): nothing about anyone."""

from coursekeeper.privacy.declarations import declare_not_personal
from coursekeeper.stats.models import PageViewCount, ScreenSizeCount

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
