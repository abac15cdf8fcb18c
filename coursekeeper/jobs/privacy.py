from coursekeeper.jobs.models import LeasedJob, ScheduledRun
from coursekeeper.privacy.declarations import NOT_PERSONAL, declare_not_personal

declare_not_personal(ScheduledRun, reason="which periodic job ran for which time slot")

# The columns every leased job row has (status, lease, attempts...): declared once here and
# spread into each job model's declaration.
LEASED_JOB_FIELDS = {
    field.name: NOT_PERSONAL.because("the job's own bookkeeping")
    for field in LeasedJob._meta.get_fields()
}
