"""Publishing the privacy policy: versions, what changed, notices of a material change (R21).

Design. `publish_policy` compares the current content (`policy.current_content`) with the last
published version and stores a new `PolicyVersion` — the content, the texts rendered in every
language, the list of changes — in one transaction. A change is *material* when it adds a kind
of data (overall or to a purpose), a purpose, a recipient or a transfer, or keeps data longer
(`diff_content`); then the version takes effect no sooner than four weeks after publishing, and
every account holder is told by email. Other changes take effect at once. Versions take effect
in the order they were published: a version's date is never before its predecessor's.

What is atomic. The version and one `PolicyNotice` row per account holder (unique per version
and account, written in batches) commit together, so a published material change cannot lose
its notices. The emails are written later by `dispatch_policy_notices` (a task enqueued on
commit, and the `privacy_policy_notices` command as the safety net): each batch of about 200
notices is one transaction that locks its rows (SKIP LOCKED on PostgreSQL), queues their outbox
emails and marks them queued.

What a rerun does. A notice marked queued is never picked again, so a rerun, a second worker or
the periodic command sends nothing twice; a killed worker rolls its batch back whole.

The gate (`privacy.gate.may_process`) reads `version_in_effect()`: once a version is in
effect, a purpose it does not announce is not carried out (R21). The platform's own pages
announce a coming version too (`privacy.policy_announcements`).

Where each part lives (the names other modules use are importable from here,
`coursekeeper.privacy.publishing`):
- `changes`: `diff_content`, `compare_rules`, `Change` and `describe_change`;
- `versions`: `publish_policy`, `preview_publication`, `ensure_policy_published`, the version in
  effect or pending, `PolicyError`;
- `notices`: `dispatch_policy_notices` and its task `send_policy_notices` (a task enqueued
  before the split named it `coursekeeper.privacy.publishing.send_policy_notices`, which still
  resolves here), and the notice email (`render_notice`, `diff_url`).
"""

from coursekeeper.privacy.publishing.changes import (
    Change,
    compare_rules,
    describe_change,
    diff_content,
)
from coursekeeper.privacy.publishing.notices import (
    NOTICE_BATCH_SIZE,
    diff_url,
    dispatch_policy_notices,
    render_notice,
    send_policy_notices,
)
from coursekeeper.privacy.publishing.versions import (
    MESSAGES,
    NOTICE_PERIOD,
    PolicyError,
    Preview,
    announced_purpose_codes,
    create_notices,
    ensure_policy_published,
    latest_version,
    pending_version,
    preview_publication,
    publish_policy,
    render_texts,
    version_in_effect,
)

__all__ = [
    "MESSAGES",
    "NOTICE_BATCH_SIZE",
    "NOTICE_PERIOD",
    "Change",
    "PolicyError",
    "Preview",
    "announced_purpose_codes",
    "compare_rules",
    "create_notices",
    "describe_change",
    "diff_content",
    "diff_url",
    "dispatch_policy_notices",
    "ensure_policy_published",
    "latest_version",
    "pending_version",
    "preview_publication",
    "publish_policy",
    "render_notice",
    "render_texts",
    "send_policy_notices",
    "version_in_effect",
]
