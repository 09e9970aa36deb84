"""Organisation, people, borgere and their forløb (with the phase state machine)."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from cases import rules as case_rules
from cases.text import NOTE, text_limits


class Kommune(models.Model):
    name = models.CharField(_("navn"), max_length=100)
    code = models.CharField(_("kommunekode"), max_length=3, unique=True)
    is_frikommune = models.BooleanField(_("frikommune"), default=False)

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("navn"), max_length=100)
    code = models.SlugField(
        _("teamkode"),
        max_length=50,
        blank=True,
        help_text=_("Fast kode for teamet i udvekslingsfiler; dannes af navnet, hvis den ikke udfyldes."),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kommune", "name"], name="team_name_unique"),
            models.UniqueConstraint(fields=["kommune", "code"], name="team_code_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = slugify(self.name)[:50]
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    CASEWORKER = "sagsbehandler", _("Sagsbehandler")
    COORDINATOR = "koordinerende", _("Koordinerende sagsbehandler")
    REHAB_MEMBER = "rehab", _("Medlem af rehabiliteringsteam")
    TEAM_LEADER = "teamleder", _("Teamleder")
    ADMINISTRATOR = "administrator", _("Administrator")


class Sector(models.TextChoices):
    """Sectors represented in a rehabiliteringsteam (LAB § 9-10 and practice)."""

    EMPLOYMENT = "beskaeftigelse", _("Beskæftigelse")
    MUNICIPAL_HEALTH = "kommunal_sundhed", _("Kommunal sundhed")
    SOCIAL = "social", _("Social")
    EDUCATION = "undervisning", _("Undervisning")
    REGIONAL_HEALTH = "sundhedskoordinator", _("Regional sundhedskoordinator")
    CHILDREN_FAMILY = "boern_familie", _("Børn og familie")
    EMPLOYER_CONSULTANT = "virksomhedskonsulent", _("Virksomhedskonsulent")
    GP = "praktiserende_laege", _("Praktiserende læge")


CASE_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


class User(AbstractUser):
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    sector = models.CharField(_("sektor"), max_length=30, choices=Sector.choices, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="members", blank=True)
    external_id = models.CharField(
        _("eksternt id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Medarbejderens faste id i et andet system (bruges ved indlæsning af forløb)."),
    )

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def clean(self):
        super().clean()
        if self.role == Role.REHAB_MEMBER and not self.sector:
            raise ValidationError({"sector": _("Et medlem af rehabiliteringsteamet skal have en sektor.")})

    @cached_property
    def team_ids(self) -> frozenset[int]:
        """Ids of the user's teams; cached per request so scoping costs one query."""
        return frozenset(self.memberships.values_list("team_id", flat=True))

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    def __str__(self):
        return self.get_full_name() or self.username


class TeamMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("medlem fra"), null=True, blank=True)

    class Meta:
        verbose_name = _("teammedlemskab")
        verbose_name_plural = _("teammedlemskaber")
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} i {self.team}"


CPR_ERRORS = {
    InvalidLength: _("CPR-nummeret skal have 10 cifre (ddmmåå-xxxx)."),
    InvalidFormat: _("CPR-nummeret må kun indeholde cifre og evt. en bindestreg."),
    InvalidComponent: _("CPR-nummerets første seks cifre er ikke en gyldig fødselsdato."),
    InvalidChecksum: _("CPR-nummeret er ugyldigt."),
}


def validate_cpr(value: str) -> str:
    """Validate a CPR number and return it compact (10 digits); raise a Danish ValidationError."""
    if not (value or "").strip():
        raise ValidationError(_("Angiv et CPR-nummer."), code="required")
    try:
        return stdnum_cpr.validate(value)
    except tuple(CPR_ERRORS) as exc:
        raise ValidationError(CPR_ERRORS[type(exc)], code="invalid_cpr") from None
    except Exception:  # any other stdnum error  # noqa: BLE001
        raise ValidationError(_("CPR-nummeret er ugyldigt."), code="invalid_cpr") from None


class Borger(models.Model):
    cpr = models.CharField(_("CPR-nummer"), max_length=10, unique=True, validators=[validate_cpr])
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def birth_date(self):
        return stdnum_cpr.get_birth_date(self.cpr)

    @property
    def masked_cpr(self) -> str:
        """Birth date part only; the last four digits are never shown in lists."""
        return f"{self.cpr[:6]}-xxxx"

    @property
    def formatted_cpr(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"


class Phase(models.TextChoices):
    FORBEREDENDE_DEL = "forberedende_del", _("Forberedende del")
    REHABILITERINGSTEAM = "rehabiliteringsteam", _("Afventer rehabiliteringsteam")
    INDSTILLING = "indstilling", _("Indstilling givet")
    INDSATSDEL = "indsatsdel", _("Indsatsdel")
    IVAERKSAETTELSE = "ivaerksaettelse", _("Iværksættelse")
    AFSLUTTET = "afsluttet", _("Afsluttet")


OPEN_PHASES = [p for p in Phase if p != Phase.AFSLUTTET]


class Outcome(models.TextChoices):
    """Afslutningsårsag: the afgang categories of evaluering 2018 Tabel 7, plus domain extras."""

    WAGE_EMPLOYMENT = "loenmodtager", _("Lønmodtagerbeskæftigelse")
    EDUCATION = "uddannelse", _("Uddannelse")
    FLEKSJOB = "fleksjob", _("Fleksjob")
    LEDIGHEDSYDELSE = "ledighedsydelse", _("Ledighedsydelse")
    A_DAGPENGE = "a_dagpenge", _("A-dagpenge")
    REVALIDERING = "revalidering", _("Revalidering / forrevalidering")
    SELF_SUPPORT = "selvforsoergelse", _("Selvforsørgelse")
    KONTANTHJAELP = "kontanthjaelp", _("Kontanthjælp")
    UDDANNELSESHJAELP = "uddannelseshjaelp", _("Uddannelseshjælp")
    NEW_FORLOEB = "nyt_ressourceforloeb", _("Nyt ressourceforløb")
    SYGEDAGPENGE = "sygedagpenge", _("Sygedagpenge / jobafklaringsforløb")
    FOERTIDSPENSION = "foertidspension", _("Førtidspension")
    SENIORFOERTIDSPENSION = "seniorfoertidspension", _("Seniorførtidspension")
    FOLKEPENSION = "folkepension", _("Folkepension")
    DEATH = "doed", _("Død")
    MOVED = "fraflytning", _("Fraflytning til anden kommune")
    OTHER = "andet", _("Andet")


class EarlyEndReason(models.TextChoices):
    """Why a forløb ended before its planned end (BEU 244 question 10). A controlled list: the
    spec's proposal (data-and-parliament.md §2.4, Q10), not taken from the seeds."""

    JOB_EDUCATION = "job_uddannelse", _("Job eller uddannelse")
    FLEKSJOB = "fleksjob", _("Visiteret til fleksjob")
    FOERTIDSPENSION = "foertidspension", _("Førtidspension")
    HEALTH = "helbred", _("Helbredet er forværret")
    MOVED = "flytning", _("Flyttet til en anden kommune")
    DEATH = "doed", _("Død")
    NO_PARTICIPATION = "manglende_medvirken", _("Manglende medvirken")
    OTHER_BENEFIT = "anden_ydelse", _("Anden ydelse (sygedagpenge, barsel)")
    REVISED = "revurdering", _("Revurderet vurdering af borgerens situation")
    OTHER = "andet", _("Andet")


# Tabel 7's grouping: A = "forsørgelsesgrundlag med en vis tilknytning til arbejdsmarkedet".
OUTCOMES_WITH_ATTACHMENT = frozenset(
    {
        Outcome.WAGE_EMPLOYMENT,
        Outcome.EDUCATION,
        Outcome.FLEKSJOB,
        Outcome.LEDIGHEDSYDELSE,
        Outcome.A_DAGPENGE,
        Outcome.REVALIDERING,
    }
)


class ForloebQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Team scoping: caseworkers and team leaders see their teams' forløb."""
        if not user.is_authenticated:
            return self.none()
        if user.is_administrator:
            return self if user.is_superuser else self.filter(kommune_id=user.kommune_id)
        if user.role in (*CASE_ROLES, Role.TEAM_LEADER):
            return self.filter(team_id__in=user.team_ids)
        return self.none()

    def open(self):
        return self.exclude(phase=Phase.AFSLUTTET)


class Forloeb(ConcurrentTransitionMixin, models.Model):
    """One ressourceforløb case of a borger, from the forberedende del to afslutning."""

    uuid = models.UUIDField(_("forløbs-id"), default=uuid.uuid4, unique=True, editable=False)
    borger = models.ForeignKey(Borger, on_delete=models.PROTECT, related_name="forloeb")
    sequence_no = models.PositiveSmallIntegerField(_("forløb nr."))
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="forloeb")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="forloeb")
    phase = FSMField(_("fase"), max_length=30, choices=Phase.choices, default=Phase.FORBEREDENDE_DEL, protected=True)
    phase_changed_at = models.DateTimeField(_("fase ændret"), null=True, blank=True)
    opened_on = models.DateField(_("sag oprettet"))
    start_date = models.DateField(_("startdato"), null=True, blank=True)
    planned_end_date = models.DateField(_("planlagt slutdato"), null=True, blank=True)
    closed_on = models.DateField(_("afsluttet"), null=True, blank=True)
    outcome = models.CharField(_("afslutningsårsag"), max_length=30, choices=Outcome.choices, blank=True)
    early_end_reason = models.CharField(
        _("årsag til at forløbet sluttede før planlagt"), max_length=30, choices=EarlyEndReason.choices, blank=True
    )
    current_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("koordinerende sagsbehandler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_forloeb",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ForloebQuerySet.as_manager()

    class Meta:
        verbose_name = _("forløb")
        verbose_name_plural = _("forløb")
        constraints = [
            models.UniqueConstraint(fields=["borger", "sequence_no"], name="forloeb_sequence_unique"),
            models.UniqueConstraint(
                fields=["borger"], condition=~Q(phase="afsluttet"), name="forloeb_one_open_per_borger"
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(start_date__isnull=False, planned_end_date__gt=models.F("start_date")),
                name="forloeb_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "phase"]),
            models.Index(fields=["current_coordinator", "phase"]),
        ]

    def __str__(self):
        return f"{self.borger.full_name}, forløb {self.sequence_no}"

    # The phase state machine. Call these only through cases.services.forloeb_transition,
    # which locks the row, checks permission, guards and input, and writes the log.
    @transition(
        field=phase,
        source=Phase.FORBEREDENDE_DEL,
        target=Phase.REHABILITERINGSTEAM,
        conditions=[case_rules.guards_pass("to_rehab_team")],
    )
    def to_rehab_team(self):
        pass

    @transition(
        field=phase,
        source=Phase.REHABILITERINGSTEAM,
        target=Phase.INDSTILLING,
        conditions=[case_rules.guards_pass("give_indstilling")],
    )
    def give_indstilling(self):
        pass

    @transition(
        field=phase,
        source=Phase.INDSTILLING,
        target=Phase.INDSATSDEL,
        conditions=[case_rules.guards_pass("grant")],
    )
    def grant(self, *, start_date, planned_end_date):
        self.start_date = start_date
        self.planned_end_date = planned_end_date

    @transition(
        field=phase,
        source=Phase.FORBEREDENDE_DEL,
        target=Phase.INDSATSDEL,
        conditions=[case_rules.guards_pass("grant_without_team")],
    )
    def grant_without_team(self, *, start_date, planned_end_date):
        self.start_date = start_date
        self.planned_end_date = planned_end_date

    @transition(
        field=phase,
        source=Phase.INDSATSDEL,
        target=Phase.IVAERKSAETTELSE,
        conditions=[case_rules.guards_pass("start_ivaerksaettelse")],
    )
    def start_ivaerksaettelse(self):
        pass

    @transition(
        field=phase,
        source=[Phase.INDSTILLING, Phase.INDSATSDEL, Phase.IVAERKSAETTELSE],
        target=Phase.REHABILITERINGSTEAM,
        conditions=[case_rules.guards_pass("genforelaeggelse")],
    )
    def genforelaeggelse(self):
        pass

    @transition(
        field=phase,
        source=OPEN_PHASES,
        target=Phase.AFSLUTTET,
        conditions=[case_rules.guards_pass("close")],
    )
    def close(self, *, outcome, closed_on):
        self.outcome = outcome
        self.closed_on = closed_on


class CoordinatorAssignment(models.Model):
    """Who coordinated the forløb from when to when, so continuity can be measured."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="coordinator_assignments")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinator_assignments"
    )
    valid_from = models.DateField(_("fra"))
    valid_to = models.DateField(_("til"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tildeling af koordinerende sagsbehandler")
        verbose_name_plural = _("tildelinger af koordinerende sagsbehandler")
        ordering = ["valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forloeb"], condition=Q(valid_to__isnull=True), name="one_current_coordinator"
            ),
        ]

    def __str__(self):
        return f"{self.coordinator} fra {self.valid_from}"


@text_limits
class PhaseTransition(models.Model):
    """The transition log: every phase change with who, when, from, to and why."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField(max_length=40)
    from_phase = models.CharField(max_length=30, choices=Phase.choices)
    to_phase = models.CharField(max_length=30, choices=Phase.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, max_length=NOTE)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("faseskift")
        verbose_name_plural = _("faseskift")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["forloeb", "at"])]

    def __str__(self):
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"


class CasePurpose(models.TextChoices):
    """What a new case is opened with a view to (asked by Opret forløb, not stored): after the 2026
    reform a case begun then may still go to the rehabiliteringsteam, for fleksjob or førtidspension,
    but can no longer become a ressourceforløb (`cases.rulepacks.new_forloeb_allowed`)."""

    RESSOURCEFORLOEB = "ressourceforloeb", _("Ressourceforløb (eller endnu ikke afklaret)")
    FLEKSJOB_FP = "fleksjob_fp", _("Fleksjob eller førtidspension, ikke ressourceforløb")


class AccessAction(models.TextChoices):
    VIEW_FORLOEB = "view_forloeb", _("Så forløb")
    VIEW_BORGER = "view_borger", _("Så borger")
    CREATE = "create", _("Oprettede")
    CHANGE = "change", _("Ændrede")
    LOOKUP = "lookup", _("Slog op på CPR-nummer")
    LIST = "list", _("Så forløbet i en liste")
    SEARCH = "search", _("Fandt forløbet ved en søgning")


class AccessLog(models.Model):
    """Who looked at which borger's data, and when (no CPR stored here)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.PROTECT, related_name="access_log")
    forloeb = models.ForeignKey(Forloeb, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    # What a search asked for, masked (desk.search.Criterion.label: "CPR 010203-****", never a whole CPR).
    criterion = models.CharField(_("søgekriterium"), max_length=120, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adgangslog")
        verbose_name_plural = _("adgangslog")
        ordering = ["-at"]
        indexes = [models.Index(fields=["borger", "at"])]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
