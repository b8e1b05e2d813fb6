import factory
from django.contrib.auth.models import Group, User


def _grant_role(default: str | None):
    # A plain `role = "admin"` in a subclass would replace the hook with a model field value;
    # each subclass gets its own hook instead, and `role=` still overrides it per call.
    def grant(user, create, extracted, **kwargs):
        name = extracted or default
        if create and name:
            user.groups.add(Group.objects.get_or_create(name=name)[0])

    return factory.PostGeneration(grant)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@cartera.test")
    first_name = factory.Faker("first_name", locale="es_CO")
    last_name = factory.Faker("last_name", locale="es_CO")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")

    role = _grant_role(None)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # set_password() runs after the INSERT; without this save the stored hash stays empty,
        # so logins fail and force_login() sessions are dropped on the next request.
        if create:
            instance.save(update_fields=["password"])


class AdminFactory(UserFactory):
    # Administrators run the Django admin too: staff and superuser, plus the admin group.
    is_staff = True
    is_superuser = True
    role = _grant_role("admin")


class ManagerFactory(UserFactory):
    role = _grant_role("manager")

    @factory.post_generation
    def creditors(self, create, extracted, **kwargs):
        for creditor in extracted or ():
            creditor.managers.add(self)


class CollectorFactory(UserFactory):
    role = _grant_role("collector")


class OfficerFactory(UserFactory):
    """A complaints officer: scoped like a manager, to the creditors granted."""

    role = _grant_role("complaints_officer")

    @factory.post_generation
    def creditors(self, create, extracted, **kwargs):
        for creditor in extracted or ():
            creditor.managers.add(self)


class LawyerFactory(UserFactory):
    """Outside counsel: sees the legal cases handed to their law firms (`firms=`)."""

    role = _grant_role("lawyer")

    @factory.post_generation
    def firms(self, create, extracted, **kwargs):
        for firm in extracted or ():
            firm.lawyers.add(self)
