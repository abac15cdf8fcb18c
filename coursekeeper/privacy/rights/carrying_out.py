"""Carrying out what a person asked.

A restriction and an objection take effect at once, a consent is withdrawn in one step, an
access or portability request gets its export and an erasure its job; staff carry out an open
request where the platform can do it by itself.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from coursekeeper.accounts.models import User
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.errors import PrivacyError
from coursekeeper.privacy.models import Objection, Restriction, RightsRequest
from coursekeeper.privacy.people import Person
from coursekeeper.privacy.rights.filing import file_request
from coursekeeper.privacy.rights.handling import (
    answer_request,
    check_staff,
    lock_open_request,
    tell_recipients,
)
from coursekeeper.privacy.rights.history import (
    Action,
    Change,
    Channel,
    Kind,
    Status,
    person_filter,
    record_event,
)


@transaction.atomic
def restrict_processing(
    *, user: User, base_url: str, details: str = "", urgent: bool = False, submission_key=None
):
    """The person asks for restriction: it takes effect at once, staff review it from the queue.

    Restricting first and checking afterwards protects the person while their claim (a
    contested accuracy, a pending objection) is looked into (Art. 18(1)).
    """
    request = file_request(
        kind=Kind.RESTRICTION,
        channel=Channel.ACCOUNT,
        user=user,
        details=details,
        base_url=base_url,
        urgent=urgent,
        submission_key=submission_key,
    )
    if not Restriction.objects.filter(user=user, lifted_at__isnull=True).exists():
        Restriction.objects.create(user=user, email=user.email)
        record_event(request, Action.CARRIED_OUT)
        tell_recipients(request=request, change=Change.RESTRICTED)
    return request


@transaction.atomic
def lift_restriction(*, user: User, acting_user=None) -> int:
    """Lift the person's restriction; the person is told before it is lifted (Art. 18(3))."""
    restrictions = Restriction.objects.filter(user=user, lifted_at__isnull=True)
    if acting_user is not None and acting_user.pk != user.pk:
        check_staff(acting_user)
        for restriction in restrictions.select_for_update():
            record_staff_change(
                acting_user=acting_user,
                obj=restriction,
                action=CHANGE,
                message="restriction_lifted",
            )
    return restrictions.update(lifted_at=timezone.now())


@transaction.atomic
def object_to(*, user: User, purpose_code: str, base_url: str, submission_key=None):
    """Record an objection (Art. 21); the gate stops the purpose from this moment."""
    from coursekeeper.privacy.purposes import ALL_PURPOSES, LegalBasis

    purpose = ALL_PURPOSES.get(purpose_code)
    if purpose is None or purpose.basis != LegalBasis.LEGITIMATE_INTEREST or not purpose.objectable:
        raise PrivacyError("cannot_object")
    request = file_request(
        kind=Kind.OBJECTION,
        channel=Channel.ACCOUNT,
        user=user,
        objection_purpose=purpose_code,
        base_url=base_url,
        submission_key=submission_key,
    )
    if not Objection.objects.filter(user=user, purpose=purpose_code).exists():
        Objection.objects.create(user=user, email=user.email, purpose=purpose_code)
        record_event(request, Action.CARRIED_OUT)
    if request.is_open:
        with translation.override(request.language):
            answer = gettext("Your objection is recorded, and we stopped this processing: %s.")
            answer = answer % purpose.title
        answer_request(request_id=request.pk, acting_user=None, answer=answer, base_url=base_url)
    return request


@transaction.atomic
def withdraw_consent(*, user: User, consent_id: int) -> bool:
    """Withdraw one consent in one step; paid access rests on the contract, never on this."""
    from coursekeeper.privacy.consents import withdraw_consent as withdraw
    from coursekeeper.privacy.gate import about_person
    from coursekeeper.privacy.models import Consent

    person = Person.for_user(user)
    consent = Consent.objects.filter(
        about_person(person), pk=consent_id, withdrawn_at__isnull=True
    ).first()
    if consent is None:
        return False
    return withdraw(person=person, purpose=consent.purpose)


def start_export_for_request(*, request: RightsRequest, base_url: str):
    """Queue the export that answers an access or portability request (once per request)."""
    from coursekeeper.privacy import jobs
    from coursekeeper.privacy.models import ExportJob

    existing = ExportJob.objects.filter(request=request).first()
    if existing is not None:
        return existing
    return jobs.request_export(
        user=request.user,
        portability_only=request.kind == Kind.PORTABILITY,
        request=request,
    )


@transaction.atomic
def carry_out_request(*, request_id: int, acting_user, base_url: str) -> RightsRequest:
    """Do what an open request asks, where the platform can do it by itself.

    Access and portability build the export (its job answers the request when the file is
    ready); erasure queues the erasure job (which answers when done); restriction and
    objection take effect through the gate at once. A correction is made by hand: carrying it
    out records that staff made it. An erasure, a restriction and a correction are told to
    the recipients of the person's data (Art. 19): the erasure job does it for an erasure.
    """
    from coursekeeper.privacy import jobs

    check_staff(acting_user)
    request = lock_open_request(request_id)
    if request.status == Status.AWAITING_FEE:
        request.status = Status.OPEN  # the fee was paid, or staff decided to answer anyway
        request.save(update_fields=["status"])
    user = request.user
    if request.kind in (Kind.ACCESS, Kind.PORTABILITY) and user is None:
        raise PrivacyError("no_account")
    if request.kind in (Kind.ACCESS, Kind.PORTABILITY):
        start_export_for_request(request=request, base_url=base_url)
    elif request.kind == Kind.ERASURE and user is None:
        # Someone without an account (a contact message, a free download): little data, erased
        # here and now, in this transaction, and answered.
        record_event(request, Action.CARRIED_OUT, acting_user=acting_user)
        jobs.erase_without_account(request=request)
        return request
    elif request.kind == Kind.ERASURE:
        jobs.request_erasure(user=user, request=request)
    elif request.kind == Kind.RESTRICTION:
        if not Restriction.objects.filter(person_filter(request), lifted_at__isnull=True).exists():
            Restriction.objects.create(user=user, email=request.email)
        record_event(request, Action.CARRIED_OUT, acting_user=acting_user)
        tell_recipients(request=request, change=Change.RESTRICTED)
        return request
    elif request.kind == Kind.RECTIFICATION:
        # Staff made the correction by hand; this records it and tells the recipients.
        record_event(request, Action.CARRIED_OUT, acting_user=acting_user)
        tell_recipients(request=request, change=Change.RECTIFIED)
        return request
    elif request.kind == Kind.OBJECTION and request.objection_purpose:
        Objection.objects.get_or_create(
            user=user, email=request.email, purpose=request.objection_purpose
        )
    else:
        raise PrivacyError("nothing_to_carry_out")
    record_event(request, Action.CARRIED_OUT, acting_user=acting_user)
    return request


def answer_with_export(job) -> None:
    """Answer the request an export was built for: the copy is ready, behind sign-in."""
    if job.request_id is None:
        return
    request = RightsRequest.objects.get(pk=job.request_id)
    if not request.is_open:
        return
    with translation.override(request.language):
        answer = gettext(
            "Your copy is ready. Sign in and download it from your privacy page within "
            "7 days; after that the file is deleted."
        )
    answer_request(
        request_id=request.pk,
        acting_user=None,
        answer=answer,
        base_url=settings.SITE_URL,
        export_expires_at=job.expires_at,
    )
