"""Who may do what: each role a set of capabilities, defined once, as data (R34, R35).

A capability is a piece of staff work ("answer contacts", "sell") with the categories of
personal data it shows and the purpose it serves; a role is the set of capabilities its people
need. Everything that decides access asks `can` (or Django's `user.has_perm("access.<code>")`,
which the `CapabilityBackend` answers from the same table; templates read `perms.access.<code>`),
so a role's reach is read in one place, reviewed with the code and changed by a migration-free
edit of this table. No other module names a role to decide access.

Why not Django's database groups: the roles are the product's, not the school's to redraw, and
a group edited in the administration could quietly widen what a role sees without a review or
an audit row. The permission API (`has_perm`, `perms`, `permission_required`) is Django's own; only
where the answer comes from differs.

Object-level: `teach` on a course is limited to the instructor's own courses unless the role can
`teach_any_course`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coursekeeper.accounts.choices import Role


@dataclass(frozen=True)
class Capability:
    """A piece of staff work; equal to and hashed as its code alone.

    (The title is a lazy translation, whose hash follows the active language: a capability
    hashed by its title would not be found in a role's set once the page is in German.)
    """

    code: str
    title: Promise = field(compare=False)
    # The categories of personal data this work shows, and the purpose it serves (empty for
    # work on technical or aggregate data only).
    categories: tuple[str, ...] = field(default=(), compare=False)
    purpose: str = field(default="", compare=False)

    def __str__(self) -> str:
        return str(self.title)


TEACH = Capability(
    "teach",
    _("Build and teach their own courses; see their learners under pseudonyms"),
    # What their learners did, and the exercises they hand in (assignments).
    ("usage", "content"),
    "deliver_courses",
)
TEACH_ANY_COURSE = Capability("teach_any_course", _("Edit every course of the school"))
ANSWER_CONTACTS = Capability(
    "answer_contacts",
    _("Answer messages sent through the contact form"),
    ("identity", "contact", "communication"),
    "answer_enquiries",
)
SELL = Capability(
    "sell",
    _("See orders and subscriptions, refund and cancel"),
    ("identity", "contact", "payment"),
    "sales",
)
SEE_INVOICES = Capability(
    "see_invoices", _("Read invoices"), ("identity", "contact", "payment"), "bookkeeping"
)
SEND_NEWSLETTERS = Capability(
    "send_newsletters", _("Write and send newsletters"), ("marketing",), "newsletter"
)
HANDLE_REQUESTS = Capability(
    "handle_requests",
    _("Handle privacy requests and read the retention overview"),
    ("identity", "contact", "communication"),
    "privacy_rights",
)
REVIEW_MINOR_REPORTS = Capability(
    "review_minor_reports",
    _("Review reports that an account belongs to a minor, and erase the accounts confirmed"),
    ("identity", "contact", "communication"),
    "privacy_rights",
)
KEEP_REGISTER = Capability(
    "keep_register", _("Keep the recipients register and the record of processing")
)
PUBLISH_POLICY = Capability("publish_policy", _("Publish the privacy policy"))
EDIT_PROVIDER = Capability("edit_provider", _("Edit the school's published details"))
READ_ACCESS_LOG = Capability(
    "read_access_log",
    _("Read who among the staff saw whose data"),
    ("identity", "contact"),
    "platform_operation",
)
VIEW_STATISTICS = Capability("view_statistics", _("See the page-view statistics"))
OPERATE = Capability(
    "operate",
    _("Watch the platform run: security events, jobs, the outbox, sweeps and failures"),
    ("technical",),
    "platform_operation",
)
CONFIGURE_SHOP = Capability(
    "configure_shop", _("Decide how the shop sells: its payment provider and VAT scheme")
)
USE_ADMINISTRATION = Capability("use_administration", _("Use the administration"))
ASSIGN_ROLES = Capability("assign_roles", _("Give people their roles"))

CAPABILITIES: dict[str, Capability] = {
    capability.code: capability
    for capability in (
        TEACH,
        TEACH_ANY_COURSE,
        ANSWER_CONTACTS,
        SELL,
        SEE_INVOICES,
        SEND_NEWSLETTERS,
        HANDLE_REQUESTS,
        REVIEW_MINOR_REPORTS,
        KEEP_REGISTER,
        PUBLISH_POLICY,
        EDIT_PROVIDER,
        READ_ACCESS_LOG,
        VIEW_STATISTICS,
        OPERATE,
        CONFIGURE_SHOP,
        USE_ADMINISTRATION,
        ASSIGN_ROLES,
    )
}

# The one table of who may do what.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.LEARNER: frozenset(),
    Role.INSTRUCTOR: frozenset({TEACH}),
    Role.SUPPORT: frozenset(
        {ANSWER_CONTACTS, SELL, SEE_INVOICES, SEND_NEWSLETTERS, VIEW_STATISTICS, USE_ADMINISTRATION}
    ),
    Role.OPERATIONS: frozenset({OPERATE, USE_ADMINISTRATION}),
    Role.PRIVACY_OFFICER: frozenset(
        {
            ANSWER_CONTACTS,
            SEE_INVOICES,
            HANDLE_REQUESTS,
            REVIEW_MINOR_REPORTS,
            KEEP_REGISTER,
            PUBLISH_POLICY,
            EDIT_PROVIDER,
            READ_ACCESS_LOG,
            VIEW_STATISTICS,
            USE_ADMINISTRATION,
        }
    ),
    Role.OWNER: frozenset(CAPABILITIES.values()),
}


def capabilities_of(user) -> frozenset[Capability]:
    """Return what `user` may do: their role's capabilities; everything for a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(CAPABILITIES.values())
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user, capability: Capability | str, obj=None) -> bool:
    """Return whether `user` may do `capability` (on `obj`, where the capability has objects)."""
    wanted = CAPABILITIES[capability] if isinstance(capability, str) else capability
    if wanted not in capabilities_of(user):
        return False
    if wanted is TEACH and obj is not None:
        return TEACH_ANY_COURSE in capabilities_of(user) or obj.instructor_id == user.pk
    return True


def holders(capability: Capability):
    """Return the active accounts that may do `capability` (to alert or assign work to)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    roles = [role for role, granted in ROLE_CAPABILITIES.items() if capability in granted]
    return get_user_model().objects.filter(Q(role__in=roles) | Q(is_superuser=True), is_active=True)


def customer_accounts():
    """Return the accounts that see no one else's data: customers and learners, not staff."""
    from django.contrib.auth import get_user_model

    roles = [role for role, granted in ROLE_CAPABILITIES.items() if not granted]
    return get_user_model()._base_manager.filter(role__in=roles, is_staff=False, is_superuser=False)


def works_with_others_data(role: str) -> bool:
    """Return whether people with `role` see other people's data, so sign in with two factors."""
    return bool(ROLE_CAPABILITIES.get(role))


def uses_administration(role: str) -> bool:
    return USE_ADMINISTRATION in ROLE_CAPABILITIES.get(role, frozenset())


class CapabilityBackend:
    """Answer `user.has_perm("access.<capability>", obj)` from the role table.

    Listed in AUTHENTICATION_BACKENDS; it authenticates nobody, it only answers permissions
    in the `access` namespace (Django's own permissions keep their own backend).
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        app_label, _dot, code = perm.partition(".")
        if app_label != "access" or code not in CAPABILITIES:
            return False
        return can(user_obj, code, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return app_label == "access" and bool(capabilities_of(user_obj))


def requires(capability: Capability):
    """Decorate a staff view: sign-in first, then 403 unless the person may do `capability`.

    The check runs before anything else the view does (its method check included), so a role
    without the capability learns nothing about the page. The capability is kept on the view
    (`required_capability`), so a test built from the URLconf knows what each route needs.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorate
