import random
from datetime import date, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases import clock
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


# --- rehab ------------------------------------------------------------------------------------

from rehab.models import (  # noqa: E402
    AgendaItem,
    HealthDocument,
    Occupation,
    PreparatoryPart,
    RehabTeam,
    RehabTeamMembership,
    TeamMeeting,
)


class OccupationFactory(DjangoModelFactory):
    class Meta:
        model = Occupation
        django_get_or_create = ("code",)

    code = "5322"
    title = "Social- og sundhedshjælper"


class RehabTeamFactory(DjangoModelFactory):
    class Meta:
        model = RehabTeam

    kommune = factory.SubFactory(KommuneFactory)
    name = factory.Sequence(lambda n: f"Rehabiliteringsteam {n}")


class RehabMembershipFactory(DjangoModelFactory):
    class Meta:
        model = RehabTeamMembership

    rehab_team = factory.SubFactory(RehabTeamFactory)
    user = factory.SubFactory(UserFactory, role=Role.REHAB_MEMBER, sector="kommunal_sundhed")
    sector = factory.SelfAttribute("user.sector")


class TeamMeetingFactory(DjangoModelFactory):
    class Meta:
        model = TeamMeeting

    rehab_team = factory.SubFactory(RehabTeamFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    place = "Jobcentret, mødelokale 2"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(TeamMeetingFactory)
    forloeb = factory.SubFactory(ForloebFactory)
    slot_start = factory.Sequence(lambda n: time(9 + n % 8, 0))


COMPLETE_PREPARATORY = {
    "wishes": "Vil gerne arbejde med mennesker, har tidligere været i praktik i ældreplejen.",
    "personal_resources": "Mødestabil, god til at lytte, stærkt netværk i familien.",
    "challenges_job": "Har ikke haft fast arbejde i 6 år.",
    "challenges_social": "Økonomisk gæld, bor alene.",
    "challenges_health": "Kroniske rygsmerter og periodevis depression.",
    "self_assessed_health": "Kan stå og gå i 2 timer ad gangen; dårlige dage hver uge.",
    "previous_benefit": "kontanthjaelp",
    "benefit_history": "Kontanthjælp siden 2019, før det sygedagpenge.",
    "earlier_interventions": "Virksomhedspraktik 2021 (afbrudt), mentorforløb 2022.",
    "borger_perspective": "Jeg vil gerne have et arbejde, men jeg er bange for at falde igennem igen.",
    "borger_wish": "ressourceforloeb",
}


class PreparatoryPartFactory(DjangoModelFactory):
    class Meta:
        model = PreparatoryPart

    forloeb = factory.SubFactory(ForloebFactory)
    work_started_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on)
    signed_by_borger_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=20))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return {**COMPLETE_PREPARATORY, **kwargs}


class HealthDocumentFactory(DjangoModelFactory):
    class Meta:
        model = HealthDocument

    forloeb = factory.SubFactory(ForloebFactory)
    form = "LÆ265"
    author_role = "praktiserende_laege"
    requested_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on)
    received_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=25))
    summary = "Kroniske lænderygsmerter; kan arbejde 10-15 timer om ugen i skånejob."


class FlagFactory(DjangoModelFactory):
    """An open flag of a test rule, raised now (the rule packs raise the real ones)."""

    class Meta:
        model = "followup.Flag"

    forloeb = factory.SubFactory(ForloebFactory)
    rule_id = "TEST_RULE"
    rule_version = 1
    pack = "test"
    basis_kind = "lov"
    basis = "LAB § 68 b"
    raised_on = factory.LazyFunction(clock.today)
    raised_at = factory.LazyFunction(clock.now)
