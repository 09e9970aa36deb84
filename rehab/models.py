"""Everything around the rehabiliteringsteam: the forberedende del, goals, health
documents, teams and meetings, the indstilling and the kommune's afgørelse."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import dates
from cases.models import Forloeb, Kommune, Sector
from cases.text import LONG_TEXT, NOTE, text_limits

# --- Reference data ---------------------------------------------------------------------


class Occupation(models.Model):
    """A DISCO-08 unit group (the Danish version of ISCO-08) with its Danish title."""

    code = models.CharField(_("DISCO-08-kode"), max_length=4, unique=True)
    title = models.CharField(_("stillingsbetegnelse"), max_length=200)

    class Meta:
        verbose_name = _("stillingsbetegnelse (DISCO-08)")
        verbose_name_plural = _("stillingsbetegnelser (DISCO-08)")
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.code})"


class InterventionCategory(models.TextChoices):
    """The audit's indsats categories (fokusrevision 2020, L2481-2485)."""

    VIRKSOMHEDSRETTET = "virksomhedsrettet", _("Virksomhedsrettet indsats")
    MENTOR = "mentor", _("Mentorstøtte")
    VEJLEDNING = "vejledning_opkvalificering", _("Vejledning og opkvalificering")
    SUNDHED_KOMMUNAL = "sundhed_kommunal", _("Sundhedsrettet indsats (kommunal)")
    SUNDHED_REGIONAL = "sundhed_regional", _("Sundhedsrettet indsats (regional behandling)")
    SOCIAL = "social", _("Social indsats")
    UDDANNELSE = "uddannelse", _("Uddannelse")
    ANDET = "andet", _("Andet tilbud")


EMPLOYMENT_CATEGORIES = frozenset(
    {InterventionCategory.VIRKSOMHEDSRETTET, InterventionCategory.MENTOR, InterventionCategory.VEJLEDNING}
)


class PreviousBenefit(models.TextChoices):
    KONTANTHJAELP = "kontanthjaelp", _("Kontanthjælp")
    UDDANNELSESHJAELP = "uddannelseshjaelp", _("Uddannelseshjælp")
    RESSOURCEFORLOEBSYDELSE = "ressourceforloebsydelse", _("Ressourceforløbsydelse")
    JOBAFKLARING = "jobafklaring", _("Jobafklaringsforløb")
    SYGEDAGPENGE = "sygedagpenge", _("Sygedagpenge")
    INTEGRATIONSYDELSE = "integrationsydelse", _("Integrationsydelse")
    SELVFORSOERGET = "selvforsoerget", _("Selvforsørget / ægtefælleforsørget")
    ANDET = "andet", _("Andet")
    UKENDT = "ukendt", _("Ukendt (fx tilflytter)")


class BorgerWish(models.TextChoices):
    FOERTIDSPENSION = "foertidspension", _("Førtidspension")
    RESSOURCEFORLOEB = "ressourceforloeb", _("Ressourceforløb")
    FLEKSJOB = "fleksjob", _("Fleksjob")
    ANDET = "andet", _("Andet")
    VED_IKKE = "ved_ikke", _("Ved ikke")


# --- Forberedende del ------------------------------------------------------------------


@text_limits
class PreparatoryPart(models.Model):
    """Rehabiliteringsplanens forberedende del, written by caseworker and borger together."""

    forloeb = models.OneToOneField(Forloeb, on_delete=models.CASCADE, related_name="preparatory_part")
    work_started_on = models.DateField(_("arbejdet påbegyndt"), null=True, blank=True)
    wishes = models.TextField(
        _("ønsker, erfaring og ressourcer i forhold til job og uddannelse"), blank=True, max_length=LONG_TEXT
    )
    personal_resources = models.TextField(_("personlige ressourcer og styrker"), blank=True, max_length=LONG_TEXT)
    challenges_job = models.TextField(_("jobmæssige udfordringer"), blank=True, max_length=LONG_TEXT)
    challenges_social = models.TextField(_("sociale udfordringer"), blank=True, max_length=LONG_TEXT)
    challenges_health = models.TextField(_("helbredsmæssige udfordringer"), blank=True, max_length=LONG_TEXT)
    self_assessed_health = models.TextField(
        _("borgerens egen vurdering af helbredet"), blank=True, max_length=LONG_TEXT
    )
    previous_benefit = models.CharField(
        _("forsørgelse før forløbet"), max_length=30, choices=PreviousBenefit.choices, blank=True
    )
    benefit_history = models.TextField(_("forsørgelseshistorik"), blank=True, max_length=LONG_TEXT)
    earlier_interventions = models.TextField(_("tidligere indsatser"), blank=True, max_length=LONG_TEXT)
    borger_perspective = models.TextField(
        _("borgerens perspektiv, med borgerens egne ord"), blank=True, max_length=LONG_TEXT
    )
    cv = models.TextField(_("CV med fokus på kompetencer (valgfrit)"), blank=True, max_length=LONG_TEXT)
    borger_wish = models.CharField(
        _("borgerens ønske før mødet"), max_length=20, choices=BorgerWish.choices, blank=True
    )
    signed_by_borger_on = models.DateField(_("underskrevet af borgeren"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    goals = GenericRelation("rehab.Goal")

    # The sections the law (R12/R13) and good practice require before the team meeting.
    REQUIRED_SECTIONS = (
        "work_started_on",
        "wishes",
        "personal_resources",
        "challenges_job",
        "challenges_social",
        "challenges_health",
        "self_assessed_health",
        "previous_benefit",
        "benefit_history",
        "earlier_interventions",
        "borger_perspective",
        "borger_wish",
    )

    class Meta:
        verbose_name = _("forberedende del")
        verbose_name_plural = _("forberedende dele")

    def __str__(self):
        return f"Forberedende del, {self.forloeb}"


# --- Goals ------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    FORBEREDENDE_DEL = "forberedende_del", _("Forberedende del")
    INDSTILLING = "indstilling", _("Indstilling")
    INDSATSPLAN = "indsatsplan", _("Indsatsplan")
    MIN_PLAN = "min_plan", _("Min Plan")


class GoalKind(models.TextChoices):
    JOB = "job", _("Jobmål")
    EDUCATION = "uddannelse", _("Uddannelsesmål")


@text_limits
class Goal(models.Model):
    """A job or education goal in one of the forløb's documents.

    A goal is concrete when it names a target occupation (job) or a specific education;
    "at komme i job" is not. Concreteness is computed by the database from that
    structure (a generated column), never set by hand.
    """

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="goals")
    document_kind = models.CharField(_("dokument"), max_length=20, choices=DocumentKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("type"), max_length=20, choices=GoalKind.choices)
    description = models.TextField(_("målet med borgerens ord"), max_length=NOTE)
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("stilling"), on_delete=models.PROTECT, null=True, blank=True
    )
    education = models.CharField(_("konkret uddannelse"), max_length=200, blank=True)
    set_with_borger = models.BooleanField(_("sat sammen med borgeren"), default=True)
    is_concrete = models.GeneratedField(
        expression=models.Case(
            models.When(Q(kind="job", occupation__isnull=False), then=models.Value(True)),
            models.When(Q(kind="uddannelse") & ~Q(education=""), then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["kind", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["forloeb", "document_kind"]),
        ]

    def __str__(self):
        return self.description


# --- Health documents --------------------------------------------------------------------


class HealthForm(models.TextChoices):
    LAE261 = "LÆ261", _("LÆ 261: anmodning til praktiserende læge")
    LAE265 = "LÆ265", _("LÆ 265: rehabiliteringsattest fra praktiserende læge")
    LAE275 = "LÆ275", _("LÆ 275: attest fra klinisk funktion")
    LAE145 = "LÆ145", _("LÆ 145: attest fra praktiserende læge")
    LAE155 = "LÆ155", _("LÆ 155: speciallægeattest")
    JOURNAL = "journal", _("Journaludskrift")
    ADVICE = "raadgivning", _("Rådgivning fra sundhedskoordinator")
    OTHER = "andet", _("Andre helbredsoplysninger")


CERTIFICATE_FORMS = frozenset({HealthForm.LAE265, HealthForm.LAE275, HealthForm.LAE145, HealthForm.LAE155})


class AuthorRole(models.TextChoices):
    KOMMUNE = "kommune", _("Kommunen (sagsbehandler)")
    GP = "praktiserende_laege", _("Praktiserende læge")
    SPECIALIST = "speciallaege", _("Speciallæge")
    CLINICAL = "klinisk_funktion", _("Klinisk funktion (regionen)")
    HEALTH_COORDINATOR = "sundhedskoordinator", _("Sundhedskoordinator")
    PSYCHOLOGIST = "psykolog", _("Psykolog")
    HOSPITAL = "sygehus", _("Sygehus")
    MUNICIPAL_MEDICAL_ADVISER = "kommunal_laegekonsulent", _("Kommunal lægekonsulent")
    OTHER = "andet", _("Andet")


class MeetingPhase(models.TextChoices):
    BEFORE = "foer", _("Før mødet i rehabiliteringsteamet")
    AFTER = "efter", _("Efter mødet i rehabiliteringsteamet")


@text_limits
class HealthDocument(models.Model):
    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="health_documents")
    form = models.CharField(_("dokumenttype"), max_length=20, choices=HealthForm.choices)
    author_role = models.CharField(_("udarbejdet af"), max_length=30, choices=AuthorRole.choices)
    phase = models.CharField(_("tidspunkt"), max_length=10, choices=MeetingPhase.choices, default=MeetingPhase.BEFORE)
    requested_on = models.DateField(_("rekvireret"), null=True, blank=True)
    received_on = models.DateField(_("modtaget"), null=True, blank=True)
    focus_question = models.TextField(_("konkret fokusspørgsmål"), blank=True, max_length=NOTE)
    summary = models.TextField(_("kort resumé"), blank=True, max_length=LONG_TEXT)
    via_health_coordinator = models.BooleanField(_("via sundhedskoordinator"), default=False)
    purpose = models.CharField(_("formål"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    INPUT_FIELDS = (
        "form",
        "author_role",
        "phase",
        "requested_on",
        "received_on",
        "focus_question",
        "summary",
        "via_health_coordinator",
        "purpose",
    )

    class Meta:
        verbose_name = _("helbredsdokument")
        verbose_name_plural = _("helbredsdokumenter")
        ordering = ["phase", "requested_on", "received_on", "id"]

    def __str__(self):
        return self.get_form_display()

    @property
    def is_request(self) -> bool:
        """A LÆ 261 is the kommune's request to the GP; it is sent, not received."""
        return self.form == HealthForm.LAE261


# --- Rehabiliteringsteam and meetings -------------------------------------------------------

REQUIRED_SECTORS = (
    Sector.EMPLOYMENT,
    Sector.MUNICIPAL_HEALTH,
    Sector.SOCIAL,
    Sector.EDUCATION,
    Sector.REGIONAL_HEALTH,
)


class RehabTeam(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="rehab_teams")
    name = models.CharField(_("navn"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RehabTeamMembership", related_name="rehab_teams", blank=True
    )

    class Meta:
        verbose_name = _("rehabiliteringsteam")
        verbose_name_plural = _("rehabiliteringsteams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RehabTeamMembership(models.Model):
    rehab_team = models.ForeignKey(RehabTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rehab_memberships")
    sector = models.CharField(_("sektor"), max_length=30, choices=Sector.choices)

    class Meta:
        verbose_name = _("medlem af rehabiliteringsteam")
        verbose_name_plural = _("medlemmer af rehabiliteringsteam")
        constraints = [models.UniqueConstraint(fields=["rehab_team", "user"], name="rehab_membership_unique")]

    def __str__(self):
        return f"{self.user} ({self.get_sector_display()})"


class TeamMeeting(models.Model):
    rehab_team = models.ForeignKey(RehabTeam, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("tidspunkt"))
    place = models.CharField(_("sted"), max_length=200)

    class Meta:
        verbose_name = _("møde i rehabiliteringsteamet")
        verbose_name_plural = _("møder i rehabiliteringsteamet")
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.rehab_team}, {self.starts_at:%d.%m.%Y %H:%M}"


class AgendaItem(models.Model):
    """A forløb on a meeting's agenda, in a time slot, with who attended."""

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    forloeb = models.ForeignKey(Forloeb, on_delete=models.PROTECT, related_name="agenda_items")
    slot_start = models.TimeField(_("tidspunkt"))
    slot_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=30)
    sectors_present = ArrayField(
        models.CharField(max_length=30, choices=Sector.choices),
        verbose_name=_("sektorer til stede"),
        default=list,
        blank=True,
    )
    borger_present = models.BooleanField(_("borgeren deltog"), null=True, blank=True)
    relative_present = models.BooleanField(_("pårørende deltog"), null=True, blank=True)
    bisidder_present = models.BooleanField(_("bisidder deltog"), null=True, blank=True)

    class Meta:
        verbose_name = _("punkt på dagsorden")
        verbose_name_plural = _("punkter på dagsorden")
        ordering = ["meeting__starts_at", "slot_start"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "forloeb"], name="agenda_forloeb_once_per_meeting"),
            models.UniqueConstraint(fields=["meeting", "slot_start"], name="agenda_slot_unique"),
        ]

    def __str__(self):
        return f"{self.meeting}: {self.slot_start:%H:%M}"


# --- Indstilling and afgørelse ----------------------------------------------------------------


class Ordning(models.TextChoices):
    RESSOURCEFORLOEB = "ressourceforloeb", _("Ressourceforløb")
    JOBAFKLARING = "jobafklaringsforloeb", _("Jobafklaringsforløb")
    FLEKSJOB = "fleksjob", _("Fleksjob")
    FOERTIDSPENSION = "foertidspension", _("Førtidspension")
    ANDET = "andet", _("Andet")


class Hensyn(models.TextChoices):
    FYSISKE = "fysiske", _("Fysiske hensyn")
    PSYKISKE = "psykiske", _("Psykiske hensyn")
    HJAELPEMIDLER = "hjaelpemidler", _("Hjælpemidler")
    SOCIALE = "sociale", _("Sociale forhold")
    TRANSPORT = "transport", _("Transport")
    BEHANDLING = "behandling", _("Lægelig behandling")
    MISBRUG = "misbrug", _("Misbrug")
    FAMILIE = "familie", _("Familie")


@text_limits
class Recommendation(models.Model):
    """Rehabiliteringsteamets indstilling."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="recommendations")
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendation"
    )
    given_on = models.DateField(_("indstilling givet"))
    ordning = models.CharField(_("indstillet ordning"), max_length=30, choices=Ordning.choices)
    duration_years = models.PositiveSmallIntegerField(_("varighed (år)"), null=True, blank=True)
    justification = models.TextField(_("faglig begrundelse"), blank=True, max_length=LONG_TEXT)
    hensyn = ArrayField(
        models.CharField(max_length=20, choices=Hensyn.choices), verbose_name=_("hensyn"), default=list, blank=True
    )
    followup_assessment = models.TextField(
        _("vurdering af behov for opfølgning ud over minimum"), blank=True, max_length=NOTE
    )
    followup_extra_needed = models.BooleanField(_("behov for tættere opfølgning"), default=False)
    borger_perspective = models.TextField(_("borgerens perspektiv"), blank=True, max_length=LONG_TEXT)
    sent_to_borger_on = models.DateField(_("sendt til borgeren"), null=True, blank=True)
    sent_to_gp_on = models.DateField(_("sendt til praktiserende læge"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    goals = GenericRelation(Goal)

    class Meta:
        verbose_name = _("indstilling")
        verbose_name_plural = _("indstillinger")
        ordering = ["given_on", "id"]

    def __str__(self):
        return f"Indstilling {self.given_on}: {self.get_ordning_display()}"

    def hensyn_labels(self) -> list[str]:
        return [Hensyn(h).label for h in self.hensyn]


class RecommendedIntervention(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="interventions")
    category = models.CharField(_("kategori"), max_length=30, choices=InterventionCategory.choices)
    description = models.CharField(_("beskrivelse"), max_length=300)
    within_months = models.PositiveSmallIntegerField(_("inden for (måneder)"), null=True, blank=True)
    planned_by = models.DateField(_("senest"), null=True, blank=True)

    class Meta:
        verbose_name = _("anbefalet indsats")
        verbose_name_plural = _("anbefalede indsatser")
        ordering = ["id"]

    def __str__(self):
        return self.description

    @property
    def timing(self) -> str:
        if self.planned_by:
            return str(_("senest %(date)s") % {"date": dates.short(self.planned_by)})
        if self.within_months:
            return str(_("inden for %(n)s måneder") % {"n": self.within_months})
        return ""


class WithoutTeamGround(models.TextChoices):
    FRIKOMMUNE = "frikommune", _("Frikommune: første forløb med kun beskæftigelsesrettede indsatser")
    OBVIOUS_FP = "aabenbar_fp", _("Førtidspension: åbenbart at arbejdsevnen ikke kan forbedres")


@text_limits
class Decision(models.Model):
    """The kommune's afgørelse after (or, by exception, without) the indstilling."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="decisions")
    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    decided_on = models.DateField(_("afgørelsesdato"))
    ordning = models.CharField(_("ordning"), max_length=30, choices=Ordning.choices)
    duration_years = models.PositiveSmallIntegerField(_("varighed (år)"), null=True, blank=True)
    follows_recommendation = models.BooleanField(_("følger indstillingen"), null=True)
    deviation_reason = models.TextField(_("begrundelse for at afvige fra indstillingen"), blank=True, max_length=NOTE)
    benefit_start_on = models.DateField(_("start af ressourceforløbsydelse"), null=True, blank=True)
    without_team_ground = models.CharField(
        _("grundlag for afgørelse uden rehabiliteringsteamet"),
        max_length=20,
        choices=WithoutTeamGround.choices,
        blank=True,
    )
    without_team_documentation = models.TextField(_("dokumentation for grundlaget"), blank=True, max_length=NOTE)
    borger_consent_on = models.DateField(_("borgerens ønske om nyt ressourceforløb registreret"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("afgørelse")
        verbose_name_plural = _("afgørelser")
        ordering = ["decided_on", "id"]

    def __str__(self):
        return f"Afgørelse {self.decided_on}: {self.get_ordning_display()}"
