import factory
from django.contrib.auth.models import Group, User


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

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


class AdminFactory(UserFactory):
    role = "admin"


class ManagerFactory(UserFactory):
    role = "manager"

    @factory.post_generation
    def creditors(self, create, extracted, **kwargs):
        for creditor in extracted or ():
            creditor.managers.add(self)


class CollectorFactory(UserFactory):
    role = "collector"
