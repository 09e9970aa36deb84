import random
from datetime import date, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases import clock
from cases.cpr import fictitious_cpr
from cases.models import Borger, Forloeb, Kommune, Role, Team, TeamMembership, User

_rng = random.Random(2013)


def allowed_opening_day(latest: date) -> date:
    """The latest day on or before `latest` on which a forberedende del may begin and still become a new
    ressourceforløb (cases.rulepacks.new_forloeb_allowed): after the 2026 reform, the day before it."""
    from cases.rulepacks import RULE_PACKS, new_forloeb_allowed

    day = latest
    for pack in reversed(RULE_PACKS):
        if not new_forloeb_allowed(day) and pack.valid_from <= day:
            day = pack.valid_from - timedelta(days=1)
    return day


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
    # Staff names never come from the pool borgere are named from: a test that a page does not show a
    # borger's name must not fail because the caseworker on the page happens to share it.
    first_name = factory.Sequence(lambda n: f"Ansat{n}")
    last_name = factory.Sequence(lambda n: f"Medarbejdersen{n}")
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


# --- Documents and history of a forløb, dated by hand (supervision figures, rule scenarios) ---------

from django.contrib.contenttypes.models import ContentType  # noqa: E402

from followup.models import FollowUpMeeting  # noqa: E402
from plans.models import ActionPlan, Intervention, InterventionEvent, InterventionType  # noqa: E402
from rehab.models import Goal, Recommendation, RecommendedIntervention  # noqa: E402


class RecommendationFactory(DjangoModelFactory):
    """The rehabiliteringsteam's indstilling (to a ressourceforløb unless told)."""

    class Meta:
        model = Recommendation

    forloeb = factory.SubFactory(ForloebFactory)
    given_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=60))
    ordning = "ressourceforloeb"
    duration_years = 2
    recorded_by = factory.SubFactory(UserFactory)


class RecommendedInterventionFactory(DjangoModelFactory):
    class Meta:
        model = RecommendedIntervention

    recommendation = factory.SubFactory(RecommendationFactory)
    category = "virksomhedsrettet"
    description = factory.LazyAttribute(lambda o: f"Anbefalet: {o.category}")


class ActionPlanFactory(DjangoModelFactory):
    """A completed version of the indsatsplan (`completed_on=None` for a draft)."""

    class Meta:
        model = ActionPlan

    forloeb = factory.SubFactory(ForloebFactory)
    version = 1
    coordinator = factory.LazyAttribute(lambda o: o.forloeb.current_coordinator)
    completed_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=90))
    created_by = factory.SubFactory(UserFactory)


GOAL_DOCUMENT_KINDS = {
    "PreparatoryPart": "forberedende_del",
    "Recommendation": "indstilling",
    "ActionPlan": "indsatsplan",
}


class GoalFactory(DjangoModelFactory):
    """A goal in one document version. `concrete=True` names an occupation (a job goal) or a
    specific education (an education goal); the database decides `is_concrete` from that."""

    class Meta:
        model = Goal
        exclude = ("document",)

    class Params:
        concrete = False

    document = None  # a PreparatoryPart, Recommendation or ActionPlan
    forloeb = factory.LazyAttribute(lambda o: o.document.forloeb)
    document_kind = factory.LazyAttribute(lambda o: GOAL_DOCUMENT_KINDS[type(o.document).__name__])
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.document))
    object_id = factory.LazyAttribute(lambda o: o.document.pk)
    kind = "job"
    description = factory.LazyAttribute(lambda o: "Et konkret mål" if o.concrete else "At komme i job")
    occupation = factory.LazyAttribute(lambda o: OccupationFactory() if o.concrete and o.kind == "job" else None)
    education = factory.LazyAttribute(
        lambda o: "Social- og sundhedshjælperuddannelsen" if o.concrete and o.kind == "uddannelse" else ""
    )


class InterventionFactory(DjangoModelFactory):
    """An indsats of a category (the catalogue's first type of it), planned unless told; no lifecycle
    events: add them with InterventionEventFactory (the status field is what an import might hold)."""

    class Meta:
        model = Intervention

    forloeb = factory.SubFactory(ForloebFactory)
    category = "virksomhedsrettet"
    type = factory.LazyAttribute(lambda o: InterventionType.objects.filter(category=o.category).order_by("id").first())
    description = factory.LazyAttribute(lambda o: f"Indsats: {o.category}")


class InterventionEventFactory(DjangoModelFactory):
    """One step in an indsats's lifecycle log, into `planlagt` unless told."""

    class Meta:
        model = InterventionEvent

    intervention = factory.SubFactory(InterventionFactory)
    action = "plan"
    from_status = "indstillet"
    to_status = "planlagt"
    on = factory.LazyAttribute(lambda o: o.intervention.forloeb.opened_on)
    actor = factory.SubFactory(UserFactory)


class FollowUpMeetingFactory(DjangoModelFactory):
    """A held, individual opfølgningssamtale with the next one agreed eight weeks on."""

    class Meta:
        model = FollowUpMeeting

    forloeb = factory.SubFactory(ForloebFactory)
    held_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=30))
    held_by = factory.LazyAttribute(lambda o: o.forloeb.current_coordinator or UserFactory())
    borger_attended = True
    # A samtale the borger attended says how the indsatser go (followup.services.followup_errors).
    status_on_interventions = factory.LazyAttribute(
        lambda o: "Borgeren deltager i indsatserne som aftalt." if o.borger_attended else ""
    )
    next_on = factory.LazyAttribute(lambda o: o.held_on + timedelta(weeks=8) if not o.no_next_reason else None)
    no_next_reason = ""
    created_by = factory.SelfAttribute("held_by")


class DecisionFactory(DjangoModelFactory):
    """The kommune's afgørelse granting a ressourceforløb; the borger's wish for a further forløb
    is recorded only when `borger_consent_on` is given."""

    class Meta:
        model = "rehab.Decision"

    forloeb = factory.SubFactory(ForloebFactory)
    decided_on = factory.LazyAttribute(lambda o: o.forloeb.start_date or o.forloeb.opened_on + timedelta(days=75))
    ordning = "ressourceforloeb"
    duration_years = 2
    decided_by = factory.SubFactory(UserFactory)


# --- Outcomes (after the end, and sanctions) ------------------------------------------------------


class ExitStatusFactory(DjangoModelFactory):
    """The forsørgelsesstatus one month after the end (the forløb must be closed), recorded on its due day."""

    class Meta:
        model = "outcomes.ExitStatus"

    forloeb = factory.SubFactory(ForloebFactory)
    point = "1m"
    code = "KONTANTHJ"
    recorded_by = factory.LazyAttribute(lambda o: o.forloeb.current_coordinator or UserFactory())
    recorded_at = factory.LazyFunction(clock.now)


class ForloebResultFactory(DjangoModelFactory):
    """The result record of a forløb, with nothing recorded until fields are given."""

    class Meta:
        model = "outcomes.ForloebResult"

    forloeb = factory.SubFactory(ForloebFactory)
    updated_by = factory.LazyAttribute(lambda o: o.forloeb.current_coordinator or UserFactory())
    updated_at = factory.LazyFunction(clock.now)


class SanctionFactory(DjangoModelFactory):
    """A fradrag for not taking part, a month into the forløb."""

    class Meta:
        model = "outcomes.Sanction"

    forloeb = factory.SubFactory(ForloebFactory)
    imposed_on = factory.LazyAttribute(lambda o: o.forloeb.opened_on + timedelta(days=30))
    kind = "fradrag"
    reason = "ikke_medvirket"
    recorded_by = factory.LazyAttribute(lambda o: o.forloeb.current_coordinator or UserFactory())
    recorded_at = factory.LazyFunction(clock.now)
