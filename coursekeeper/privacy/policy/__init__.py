"""The privacy and cookie policies, generated from what the platform really does (R41, R42).

Design. The policy has two layers:

1. The *content* (`current_content()`): a JSON-serialisable dict of codes and numbers, not
   sentences — the controller's details, each purpose with its legal basis, the categories it
   uses and its retention rules (as comparable data), the recipients with their transfers, the
   cookie registry and the pages where a person uses their rights, and for each purpose its
   processing paths with the exception of Art. 18(2) each relies on, so the policy says what a
   restriction and an objection really do; and the third parties a page can load after consent
   (`cookies.third_parties`: configured marketing tags, embedded video players), each shaped
   like a recipient. It is built only from the declaration registry, `ALL_PURPOSES`, the
   processing paths, the `Recipient` rows, the cookie registry (with the configured tags'
   entries), the lessons' embeds and the `ProviderSettings`, so it cannot drift from what the
   code and the data say. Comparing two contents (`publishing.diff_content`) is what makes a
   change material or not; a purpose's description is not in the content, so rewording it
   changes nothing that matters.
2. The *texts* (`render_policy`, `render_cookie_policy`): HTML fragments rendered from a content
   in Danish, German or English by the templates under `privacy/policy/`. Labels (category,
   purpose titles, legal bases, retention wording) are looked up at render time in the active
   language; a published version stores its rendered texts, so it reads the same years later.

Where each part lives (the names other modules use are importable from here,
`coursekeeper.privacy.policy`):
- `content`: `build_content`, `current_content`, `announced_purposes` and the content's
  constants (`CONTENT_FORMAT`, `POLICY_LANGUAGES`, `RIGHTS_PAGES`);
- `retention`: a retention rule as content data (`retention_rule`) and back in words
  (`rule_text`, `item_text`);
- `labels`: the labels of a content's codes in the active language, and `rights_effects`;
- `rendering`: `render_policy`, `render_cookie_policy` and the contexts their templates read.
"""

from coursekeeper.privacy.policy.content import (
    CONTENT_FORMAT,
    POLICY_LANGUAGES,
    RIGHTS_PAGES,
    announced_purposes,
    build_content,
    current_content,
    ordered_categories,
)
from coursekeeper.privacy.policy.labels import (
    SOURCES,
    basis_label,
    category_label,
    country_label,
    data_label,
    duration_text,
    exception_label,
    path_title,
    purpose_title,
    rights_effects,
    role_label,
    safeguard_label,
    service_end_title,
    third_party_location,
    third_party_service,
)
from coursekeeper.privacy.policy.rendering import (
    cookie_context,
    policy_context,
    render_cookie_policy,
    render_policy,
)
from coursekeeper.privacy.policy.retention import (
    explanation_key,
    item_text,
    retention_rule,
    rule_object,
    rule_text,
)

__all__ = [
    "CONTENT_FORMAT",
    "POLICY_LANGUAGES",
    "RIGHTS_PAGES",
    "SOURCES",
    "announced_purposes",
    "basis_label",
    "build_content",
    "category_label",
    "cookie_context",
    "country_label",
    "current_content",
    "data_label",
    "duration_text",
    "exception_label",
    "explanation_key",
    "item_text",
    "ordered_categories",
    "path_title",
    "policy_context",
    "purpose_title",
    "render_cookie_policy",
    "render_policy",
    "retention_rule",
    "rights_effects",
    "role_label",
    "rule_object",
    "rule_text",
    "safeguard_label",
    "service_end_title",
    "third_party_location",
    "third_party_service",
]
