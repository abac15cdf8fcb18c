from coursekeeper.jobs.models import ScheduledRun
from coursekeeper.privacy.declarations import declare_not_personal

declare_not_personal(ScheduledRun, reason="which periodic job ran for which time slot")
