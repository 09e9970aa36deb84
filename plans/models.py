"""The indsatsplan (indsatsdel), the indsatser themselves with their lifecycle, and what
surrounds them: coordination notes, consents, the borger's other cases, problem areas and
progression. Min Plan is generated from the current plan version, never typed twice."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from stdnum.dk import cvr as stdnum_cvr

from cases.models import Borger, Forloeb
from cases.text import LONG_TEXT, NOTE, text_limits
from rehab.models import Goal, Hensyn, InterventionCategory, Recommendation, RecommendedIntervention


class Domain(models.TextChoices):
    EMPLOYMENT = "beskaeftigelse", _("Beskæftigelse")
    SOCIAL = "social", _("Social")
    HEALTH = "sundhed", _("Sundhed")
    EDUCATION = "uddannelse", _("Uddannelse")


class Forvaltning(models.TextChoices):
    JOBCENTER = "jobcenter", _("Jobcenter")
    SOCIAL = "social", _("Socialforvaltning")
    HEALTH = "sundhed", _("Sundhedsforvaltning")
    REGION = "region", _("Regionen")
    EDUCATION = "uddannelse", _("Uddannelsesinstitution")
    OTHER = "andet", _("Andet")


class InterventionType(models.Model):
    """The indsats catalogue: versioned reference data. A change of, say, a maximum length is a
    new row with a new valid_from; the old row keeps its period, so old indsatser keep theirs."""

    code = models.SlugField(_("kode"), max_length=50)
    name = models.CharField(_("navn"), max_length=150)
    category = models.CharField(_("kategori"), max_length=30, choices=InterventionCategory.choices)
    domain = models.CharField(_("område"), max_length=20, choices=Domain.choices)
    legal_basis = models.CharField(_("lovgrundlag"), max_length=200, blank=True)
    max_weeks = models.PositiveSmallIntegerField(_("maksimal varighed (uger)"), null=True, blank=True)
    valid_from = models.DateField(_("gælder fra"))
    valid_to = models.DateField(_("gælder til"), null=True, blank=True)

    class Meta:
        verbose_name = _("indsatstype")
        verbose_name_plural = _("indsatskatalog")
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="intervention_type_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="intervention_type_one_current"
            ),
        ]

    def __str__(self):
        return self.name


@text_limits
class ActionPlan(models.Model):
    """One version of the indsatsplan. A completed version is never changed again: a revision
    (after an opfølgningssamtale) is a new version, and the old ones stay readable."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="action_plans")
    version = models.PositiveSmallIntegerField(_("version"))
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, null=True, blank=True, related_name="action_plans"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("koordinerende sagsbehandler"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    followup_cadence_weeks = models.PositiveSmallIntegerField(_("opfølgning hver (uger)"), null=True, blank=True)
    followup_agreement = models.TextField(_("aftale om opfølgning"), blank=True, max_length=NOTE)
    next_followup_on = models.DateField(_("næste samtale"), null=True, blank=True)
    hensyn = ArrayField(
        models.CharField(max_length=20, choices=Hensyn.choices), verbose_name=_("hensyn"), default=list, blank=True
    )
    borger_perspective = models.TextField(
        _("borgerens perspektiv på de planlagte indsatser"), blank=True, max_length=LONG_TEXT
    )
    revision_reason = models.CharField(_("årsag til revision"), max_length=300, blank=True)
    completed_on = models.DateField(_("færdiggjort"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    goals = GenericRelation(Goal)

    class Meta:
        verbose_name = _("indsatsplan")
        verbose_name_plural = _("indsatsplaner")
        ordering = ["forloeb", "version"]
        constraints = [
            models.UniqueConstraint(fields=["forloeb", "version"], name="plan_version_unique"),
            models.UniqueConstraint(fields=["forloeb"], condition=Q(completed_on__isnull=True), name="plan_one_draft"),
        ]

    def __str__(self):
        return f"Indsatsplan v{self.version}, {self.forloeb}"

    @property
    def is_draft(self) -> bool:
        return self.completed_on is None

    def hensyn_labels(self) -> list[str]:
        return [Hensyn(h).label for h in self.hensyn]


class Milestone(models.Model):
    """A delmål in one plan version. `lineage` stays the same across versions, so progress
    recorded against a delmål follows it through revisions."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="milestones")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    description = models.CharField(_("delmål"), max_length=300)
    target_date = models.DateField(_("forventet nået"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("delmål")
        verbose_name_plural = _("delmål")
        ordering = ["order", "id"]

    def __str__(self):
        return self.description


class InterventionStatus(models.TextChoices):
    INDSTILLET = "indstillet", _("Indstillet")
    PLANLAGT = "planlagt", _("Planlagt")
    BEVILGET = "bevilget", _("Bevilget")
    IGANGSAT = "igangsat", _("Igangsat")
    GENNEMFOERT = "gennemfoert", _("Gennemført")
    AFBRUDT = "afbrudt", _("Afbrudt")
    IKKE_IVAERKSAT = "ikke_ivaerksat", _("Ikke iværksat")


STARTED_STATUSES = (InterventionStatus.IGANGSAT, InterventionStatus.GENNEMFOERT, InterventionStatus.AFBRUDT)
NOT_STARTED_OPEN = (InterventionStatus.INDSTILLET, InterventionStatus.PLANLAGT, InterventionStatus.BEVILGET)


class Source(models.TextChoices):
    HERE = "registreret", _("Registreret her")
    OTHER_FORVALTNING = "anden_forvaltning", _("Oplyst af anden forvaltning")


def validate_cvr(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        return stdnum_cvr.validate(value)
    except Exception:  # noqa: BLE001 - every stdnum error means the same to the user
        raise ValidationError(
            _("CVR-nummeret er ikke gyldigt: det skal være 8 cifre med korrekt kontrolciffer."), code="invalid_cvr"
        ) from None


@text_limits
class Intervention(FSMModelMixin, models.Model):
    """One indsats, with a lifecycle kept apart from the plan: planned and executed are never
    the same fields. It may exist before the plan (the audit found a quarter did)."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="interventions")
    type = models.ForeignKey(InterventionType, verbose_name=_("indsats"), on_delete=models.PROTECT)
    category = models.CharField(_("kategori"), max_length=30, choices=InterventionCategory.choices)
    description = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    recommended = models.ForeignKey(
        RecommendedIntervention,
        verbose_name=_("anbefalet af rehabiliteringsteamet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=InterventionStatus.choices,
        default=InterventionStatus.PLANLAGT,
        protected=True,
    )
    status_reason = models.TextField(_("begrundelse"), blank=True, max_length=NOTE)
    planned_start = models.DateField(_("planlagt start"), null=True, blank=True)
    planned_end = models.DateField(_("planlagt slut"), null=True, blank=True)
    actual_start = models.DateField(_("faktisk start"), null=True, blank=True)
    actual_end = models.DateField(_("faktisk slut"), null=True, blank=True)
    hours_per_week = models.DecimalField(_("timer pr. uge"), max_digits=4, decimal_places=1, null=True, blank=True)
    provider = models.CharField(_("leverandør"), max_length=200, blank=True)
    forvaltning = models.CharField(
        _("forvaltning"), max_length=20, choices=Forvaltning.choices, default=Forvaltning.JOBCENTER
    )
    employer_cvr = models.CharField(_("arbejdsgivers CVR-nummer"), max_length=8, blank=True, validators=[validate_cvr])
    cost = models.DecimalField(_("udgift (kr.)"), max_digits=10, decimal_places=2, null=True, blank=True)
    part_of_forloeb = models.BooleanField(_("iværksat som led i forløbet"), default=True)
    source = models.CharField(_("kilde"), max_length=20, choices=Source.choices, default=Source.HERE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")
        ordering = ["planned_start", "id"]
        indexes = [models.Index(fields=["forloeb", "status"]), models.Index(fields=["category", "status"])]

    def __str__(self):
        return self.description or self.type.name

    # Lifecycle (R-000-04). Change it only through plans.services.intervention_move.
    @transition(field=status, source=InterventionStatus.INDSTILLET, target=InterventionStatus.PLANLAGT)
    def plan(self):
        pass

    @transition(field=status, source=InterventionStatus.PLANLAGT, target=InterventionStatus.BEVILGET)
    def grant(self):
        pass

    @transition(
        field=status,
        source=[InterventionStatus.PLANLAGT, InterventionStatus.BEVILGET],
        target=InterventionStatus.IGANGSAT,
    )
    def start(self):
        pass

    @transition(field=status, source=InterventionStatus.IGANGSAT, target=InterventionStatus.GENNEMFOERT)
    def complete(self):
        pass

    @transition(field=status, source=InterventionStatus.IGANGSAT, target=InterventionStatus.AFBRUDT)
    def interrupt(self):
        pass

    @transition(field=status, source=list(NOT_STARTED_OPEN), target=InterventionStatus.IKKE_IVAERKSAT)
    def not_started(self):
        pass

    @property
    def length_weeks(self) -> float | None:
        start = self.actual_start or self.planned_start
        end = self.actual_end or self.planned_end
        if start and end:
            return (end - start).days / 7
        return None


@text_limits
class InterventionEvent(models.Model):
    """The lifecycle log of an indsats: who moved it, when, from what to what, and why."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=InterventionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=InterventionStatus.choices)
    on = models.DateField()
    reason = models.TextField(blank=True, max_length=NOTE)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hændelse for indsats")
        verbose_name_plural = _("hændelser for indsatser")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PlanItem(models.Model):
    """An indsats as it stood in one plan version (a frozen copy once the version is completed)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="plan_items")
    description = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=InterventionStatus.choices)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    provider = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("punkt i indsatsplan")
        verbose_name_plural = _("punkter i indsatsplan")
        ordering = ["planned_start", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "intervention"], name="plan_item_unique")]

    def __str__(self):
        return self.description


@text_limits
class CoordinationNote(models.Model):
    """A dated note of coordination across forvaltninger, e.g. before a bevilling."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="coordination_notes")
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, null=True, blank=True, related_name="coordination_notes"
    )
    written_on = models.DateField(_("dato"))
    forvaltning = models.CharField(_("forvaltning"), max_length=20, choices=Forvaltning.choices)
    note = models.TextField(_("notat"), max_length=LONG_TEXT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("koordineringsnotat")
        verbose_name_plural = _("koordineringsnotater")
        ordering = ["-written_on", "-id"]

    def __str__(self):
        return f"{self.written_on}: {self.get_forvaltning_display()}"


class ConsentRecipient(models.TextChoices):
    OTHER_FORVALTNING = "anden_forvaltning", _("Anden forvaltning")
    GP = "praktiserende_laege", _("Praktiserende læge")
    HEALTH_COORDINATOR = "sundhedskoordinator", _("Sundhedskoordinator")


class Consent(models.Model):
    """The borger's consent to share information with a named recipient."""

    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="consents")
    # The forløb it was recorded under: the case history is the team's, so only those who may
    # view that forløb see it (plans.selectors.consents_for). Empty only for rows no forløb
    # could be found for, which nobody sees.
    forloeb = models.ForeignKey(
        Forloeb, on_delete=models.CASCADE, null=True, blank=True, related_name="consents", verbose_name=_("forløb")
    )
    recipient = models.CharField(_("deling med"), max_length=30, choices=ConsentRecipient.choices)
    scope = models.CharField(_("omfang"), max_length=300)
    given_on = models.DateField(_("givet"))
    expires_on = models.DateField(_("udløber"), null=True, blank=True)
    withdrawn_on = models.DateField(_("trukket tilbage"), null=True, blank=True)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-given_on"]

    def __str__(self):
        return f"{self.get_recipient_display()}: {self.scope}"

    def is_valid_on(self, day) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


class OtherCaseKind(models.TextChoices):
    CHILDREN = "boernesag", _("Børnesag")
    DISABILITY = "voksenhandicap", _("Voksenhandicap")
    ADDICTION = "misbrug", _("Misbrug")
    PSYCHIATRY = "psykiatri", _("Psykiatri")
    PROBATION = "kriminalforsorg", _("Kriminalforsorg")
    HOUSING = "bolig", _("Bolig / hjemløshed")
    ELDERLY = "aeldre", _("Ældre / genoptræning")
    OTHER = "andet", _("Andet")


class OtherCase(models.Model):
    """Another case the borger has elsewhere, so the team can invite the right sector."""

    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="other_cases")
    # The forløb it was recorded under (see Consent.forloeb).
    forloeb = models.ForeignKey(
        Forloeb, on_delete=models.CASCADE, null=True, blank=True, related_name="other_cases", verbose_name=_("forløb")
    )
    kind = models.CharField(_("sagstype"), max_length=20, choices=OtherCaseKind.choices)
    source = models.CharField(_("kilde"), max_length=200)
    consent = models.ForeignKey(Consent, verbose_name=_("samtykke"), on_delete=models.SET_NULL, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    recorded_on = models.DateField(_("registreret"))

    class Meta:
        verbose_name = _("anden sag")
        verbose_name_plural = _("andre sager")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class ProblemAreaKind(models.TextChoices):
    PSYCHOLOGICAL = "psykisk", _("Psykisk")
    PHYSICAL = "fysisk", _("Fysisk")
    COGNITIVE = "kognitiv", _("Kognitiv")
    DISABILITY = "handicap", _("Handicap")
    ADDICTION = "misbrug", _("Misbrug")
    SOCIAL = "social", _("Social / tung social arv")
    HOUSING = "bolig", _("Bolig")
    FAMILY = "familie", _("Familie")
    EDUCATION = "uddannelse", _("Sparsom uddannelse")
    NO_WORK_EXPERIENCE = "arbejdsmarkedserfaring", _("Manglende arbejdsmarkedserfaring")
    MOTIVATION = "motivation", _("Motivation / tillid")
    FUNCTIONAL = "funktionel", _("Funktionel lidelse")


class ProblemSource(models.TextChoices):
    DOCUMENTED = "dokumenteret", _("Dokumenteret")
    BORGER = "borgerens_angivelse", _("Borgerens angivelse")
    CASEWORKER = "sagsbehandlers_vurdering", _("Sagsbehandlers vurdering")


class ProblemArea(models.Model):
    """A problem area (category only, never a diagnosis: data minimisation)."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="problem_areas")
    kind = models.CharField(_("område"), max_length=30, choices=ProblemAreaKind.choices)
    source = models.CharField(_("kilde"), max_length=30, choices=ProblemSource.choices)
    recorded_on = models.DateField(_("registreret"))
    ended_on = models.DateField(_("ophørt"), null=True, blank=True)

    class Meta:
        verbose_name = _("problemområde")
        verbose_name_plural = _("problemområder")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class Progress(models.Model):
    """A progression score for a delmål at a point in time (1 = langt fra, 5 = nået)."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="progress")
    milestone_lineage = models.UUIDField()
    recorded_on = models.DateField(_("dato"))
    score = models.PositiveSmallIntegerField(_("score (1-5)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("progression")
        verbose_name_plural = _("progression")
        ordering = ["recorded_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="progress_score_1_5")]

    def __str__(self):
        return f"{self.recorded_on}: {self.score}"
