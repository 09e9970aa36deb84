import random
from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from cases.cpr import fictitious_cpr
from cases.models import Borger, Forloeb, Kommune, Role, Team, TeamMembership, User

_rng = random.Random(2013)


class KommuneFactory(DjangoModelFactory):
    class Meta:
        model = Kommune
        django_get_or_create = ("code",)

    name = "Testrup Kommune"
    code = "999"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    kommune = factory.SubFactory(KommuneFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    role = Role.COORDINATOR
    kommune = factory.SubFactory(KommuneFactory)
    password = factory.PostGenerationMethodCall("set_password", "test-adgang-1234")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        self.save()
        for team in extracted or []:
            TeamMembership.objects.create(user=self, team=team)


class BorgerFactory(DjangoModelFactory):
    class Meta:
        model = Borger

    cpr = factory.LazyFunction(
        lambda: fictitious_cpr(date(1965, 1, 1) + timedelta(days=_rng.randrange(0, 365 * 38)), _rng)
    )
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")


class ForloebFactory(DjangoModelFactory):
    class Meta:
        model = Forloeb

    borger = factory.SubFactory(BorgerFactory)
    sequence_no = 1
    team = factory.SubFactory(TeamFactory)
    kommune = factory.SelfAttribute("team.kommune")
    opened_on = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
