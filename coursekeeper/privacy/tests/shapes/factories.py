import secrets

import factory
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from coursekeeper.accounts.factories import UserFactory
from coursekeeper.accounts.models import User
from coursekeeper.privacy.rules import release_date
from coursekeeper.privacy.tests.shapes import models


class ContactNoteFactory(factory.django.DjangoModelFactory[models.ContactNote]):
    class Meta:
        model = models.ContactNote

    email = factory.LazyFunction(lambda: f"visitor-{secrets.token_hex(4)}@example.org")
    name = factory.LazyAttribute(lambda o: f"Visitor {o.email}")
    message = factory.LazyAttribute(lambda o: f"Please call me back, {o.email}")


class AuditNoteFactory(factory.django.DjangoModelFactory[models.AuditNote]):
    class Meta:
        model = models.AuditNote

    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(User))
    object_id = factory.LazyFunction(lambda: str(UserFactory().pk))
    note = factory.LazyAttribute(
        lambda o: f"Staff corrected the phone of {User.objects.get(pk=o.object_id).full_name}"
    )


class ConversationFactory(factory.django.DjangoModelFactory[models.Conversation]):
    class Meta:
        model = models.Conversation

    sender = factory.SubFactory(UserFactory)
    sender_signature = factory.LazyAttribute(lambda o: o.sender.full_name)
    recipient = factory.SubFactory(UserFactory)
    recipient_signature = factory.LazyAttribute(lambda o: o.recipient.full_name)
    topic = "Homework"


class UploadFactory(factory.django.DjangoModelFactory[models.Upload]):
    class Meta:
        model = models.Upload

    owner = factory.SubFactory(UserFactory)
    document = factory.LazyAttribute(
        lambda o: ContentFile(f"CV of {o.owner.full_name}, {o.owner.email}".encode(), "cv.txt")
    )


class PreferencesFactory(factory.django.DjangoModelFactory[models.Preferences]):
    class Meta:
        model = models.Preferences

    owner = factory.SubFactory(UserFactory)
    settings_blob = factory.LazyAttribute(
        lambda o: {"display_name": o.owner.full_name, "phone": o.owner.phone}
    )


class StudyGroupFactory(factory.django.DjangoModelFactory[models.StudyGroup]):
    class Meta:
        model = models.StudyGroup
        skip_postgeneration_save = True

    title = "Tuesday group"

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*([extracted] if isinstance(extracted, User) else extracted))


# Not DjangoModelFactory[...]: the many-to-many's own model has no name to give mypy.
class StudyGroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StudyGroup.members.through

    user = factory.SubFactory(UserFactory)
    studygroup = factory.SubFactory(StudyGroupFactory)


class HeldRecordFactory(factory.django.DjangoModelFactory[models.HeldRecord]):
    class Meta:
        model = models.HeldRecord

    buyer = factory.SubFactory(UserFactory)
    buyer_name = factory.LazyAttribute(lambda o: o.buyer.full_name)
    amount_cents = 49900
    issued_at = factory.LazyFunction(timezone.now)
    held_until = factory.LazyAttribute(
        lambda o: release_date(country="DK", rule="bookkeeping", event_at=o.issued_at)
    )
