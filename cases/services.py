"""Every write to borgere and forløb goes through a function here.

Each is keyword-only, runs in one transaction and writes its own event rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from cases import clock, rulepacks
from cases import rules as case_rules
from cases.concurrency import check_unchanged
from cases.models import (
    CASE_ROLES,
    AccessAction,
    AccessLog,
    Borger,
    CasePurpose,
    CoordinatorAssignment,
    Forloeb,
    Phase,
    PhaseTransition,
    Team,
    User,
    validate_cpr,
)


@dataclass
class TransitionError(Exception):
    """A transition that may not happen; messages are Danish and meant for the user."""

    messages: list[str]
    field_errors: dict[str, str] = field(default_factory=dict)

    def __str__(self):
        return " ".join([*self.messages, *self.field_errors.values()])


# Apps that must hear of a change to a forløb (followup re-evaluates its flags) register here
# from their AppConfig.ready(), so `cases` imports none of them.
_change_listeners: list[Callable[[int], None]] = []


def register_change_listener(listener: Callable[[int], None]) -> None:
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def forloeb_changed(*, forloeb_id: int) -> None:
    """Tell the listening apps about a change to the forløb. Every service that changes a forløb
    calls this inside its transaction, and the listeners run right there, so what they write
    (followup's outbox row) commits or rolls back with the change. A listener that talks to
    anything outside the database (say, Celery) must do so with `transaction.on_commit` and must
    not fail the change."""
    for listener in _change_listeners:
        listener(forloeb_id)


def access_log_record(*, user: User, borger: Borger, action: str, forloeb: Forloeb | None = None) -> None:
    AccessLog.objects.create(user=user, borger=borger, forloeb=forloeb, action=action)


def access_log_list(
    *, user: User, forloeb: list[Forloeb], action: str = AccessAction.LIST, criterion: str = ""
) -> None:
    """A list that names borgere (Mine forløb, a drill-down of the ledelsestilsyn, a search's hits): one
    row per forløb shown, in one statement. A search passes `action=AccessAction.SEARCH` and its
    criterion, masked by the caller (never a whole CPR number)."""
    AccessLog.objects.bulk_create(
        AccessLog(user=user, borger_id=f.borger_id, forloeb=f, action=action, criterion=criterion) for f in forloeb
    )


@transaction.atomic
def borger_create(
    *, cpr: str, first_name: str, last_name: str, actor: User, address: str = "", phone: str = "", email: str = ""
) -> Borger:
    compact = validate_cpr(cpr)
    if Borger.objects.filter(cpr=compact).exists():
        raise ValidationError({"cpr": _("Der findes allerede en borger med dette CPR-nummer.")})
    borger = Borger(cpr=compact, first_name=first_name, last_name=last_name, address=address, phone=phone, email=email)
    borger.full_clean()
    borger.save()
    access_log_record(user=actor, borger=borger, action=AccessAction.CREATE)
    return borger


@transaction.atomic
def forloeb_open(
    *, borger: Borger, team: Team, actor: User, opened_on: date | None = None, coordinator: User | None = None
) -> Forloeb:
    """Open a new forløb for a borger in the forberedende del."""
    borger = Borger.objects.select_for_update().get(pk=borger.pk)
    if borger.forloeb.open().exists():
        raise ValidationError(_("Borgeren har allerede et åbent forløb."))
    last = borger.forloeb.aggregate(n=Max("sequence_no"))["n"] or 0
    opened_on = opened_on or clock.today()
    forloeb = Forloeb.objects.create(
        borger=borger, sequence_no=last + 1, kommune=team.kommune, team=team, opened_on=opened_on
    )
    if coordinator is not None:
        forloeb_assign_coordinator(forloeb=forloeb, coordinator=coordinator, valid_from=opened_on, actor=actor)
    access_log_record(user=actor, borger=borger, forloeb=forloeb, action=AccessAction.CREATE)
    return forloeb


def _same_name(first_name: str, last_name: str, borger: Borger) -> bool:
    """The typed name is the stored one, ignoring case and spacing (and how the names are split)."""

    def norm(*parts: str) -> str:
        return " ".join(" ".join(parts).split()).casefold()

    return norm(first_name, last_name) == norm(borger.first_name, borger.last_name)


def borger_lookup_for_forloeb(*, cpr: str, first_name: str, last_name: str, team: Team, actor: User) -> Borger | None:
    """Find the borger a new forløb in `team` is for, by CPR number; None when the number is new.

    The borger (CPR, name) is the kommune's: a borger with a forløb in the team's kommune may get a
    new forløb in any of its teams, but only when the typed name is the stored one, so neither a
    mistyped CPR number nor a look-up reveals the stored name. A borger known only in another
    kommune is never found or linked. Every look-up that finds a borger is access-logged (LOOKUP,
    no CPR), in its own transaction so the row stays when the look-up is refused."""
    compact = validate_cpr(cpr)
    borger = Borger.objects.filter(cpr=compact).first()
    if borger is None:
        return None
    with transaction.atomic():
        access_log_record(user=actor, borger=borger, action=AccessAction.LOOKUP)
    kommuner = set(borger.forloeb.values_list("kommune_id", flat=True))
    if kommuner and team.kommune_id not in kommuner:
        raise ValidationError(
            {"cpr": _("Der kan ikke oprettes et forløb med dette CPR-nummer. Kontakt en administrator.")}
        )
    if not _same_name(first_name, last_name, borger):
        raise ValidationError(
            {
                "cpr": _(
                    "Navnet passer ikke til den borger, kommunen har registreret med dette CPR-nummer. "
                    "Tjek CPR-nummeret og navnet; har borgeren skiftet navn, skal en administrator rette det først."
                )
            }
        )
    return borger


def borger_and_forloeb_open(
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    team: Team,
    opened_on: date,
    actor: User,
    address: str = "",
    phone: str = "",
    email: str = "",
    purpose: str = CasePurpose.RESSOURCEFORLOEB,
) -> Forloeb:
    """Open a forløb for a borger, creating the borger first if the CPR number is new.

    An existing borger is found by `borger_lookup_for_forloeb` (logged, kommune and name checked);
    the typed address, phone and e-mail are then not used. The forløb is written in one transaction.
    A caseworker who opens a forløb in one of their own teams becomes its coordinator. The law in
    force on `opened_on` (the day the forberedende del began) must allow new ressourceforløb
    (`cases.rulepacks.new_forloeb_errors`) unless the case is opened for the rehabiliteringsteam with a
    view to fleksjob or førtidspension only (`purpose`; the indstilling and the afgørelse are then held to
    the same rule), else nothing is written or looked up.
    """
    errors = rulepacks.rulepack_errors(opened_on, field="opened_on")
    if not errors and purpose == CasePurpose.RESSOURCEFORLOEB:
        errors = rulepacks.new_forloeb_errors(opened_on, field="opened_on")
        if errors:
            errors["purpose"] = [
                _(
                    "Skal sagen forelægges rehabiliteringsteamet med henblik på fleksjob eller førtidspension, "
                    "så vælg det her."
                )
            ]
    if errors:
        raise ValidationError(errors)
    borger = borger_lookup_for_forloeb(cpr=cpr, first_name=first_name, last_name=last_name, team=team, actor=actor)
    with transaction.atomic():
        if borger is None:
            borger = borger_create(
                cpr=cpr,
                first_name=first_name,
                last_name=last_name,
                address=address,
                phone=phone,
                email=email,
                actor=actor,
            )
        coordinator = actor if actor.role in CASE_ROLES and team.pk in actor.team_ids else None
        return forloeb_open(borger=borger, team=team, opened_on=opened_on, coordinator=coordinator, actor=actor)


@transaction.atomic
def forloeb_assign_coordinator(
    *, forloeb: Forloeb, coordinator: User, valid_from: date, actor: User, edit_token: str | None = None
) -> None:
    """Hand the forløb to a koordinerende sagsbehandler, closing the previous assignment.
    `edit_token` is the form's (cases.concurrency): a page that showed another coordinator is refused."""
    forloeb = Forloeb.objects.select_for_update().get(pk=forloeb.pk)
    check_unchanged(forloeb, edit_token)
    if forloeb.team_id not in coordinator.team_ids:
        raise ValidationError(_("Den koordinerende sagsbehandler skal være medlem af forløbets team."))
    current = forloeb.coordinator_assignments.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.coordinator_id == coordinator.pk:
            return
        if valid_from < current.valid_from:
            raise ValidationError(_("Den nye tildeling kan ikke starte før den nuværende."))
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    CoordinatorAssignment.objects.create(
        forloeb=forloeb, coordinator=coordinator, valid_from=valid_from, assigned_by=actor
    )
    Forloeb.objects.filter(pk=forloeb.pk).update(current_coordinator=coordinator)
    forloeb_changed(forloeb_id=forloeb.pk)


def forloeb_transition(
    *,
    forloeb_id: int,
    transition: str,
    actor: User,
    expected_phase: str,
    reason: str = "",
    outcome: str = "",
    closed_on: date | None = None,
    start_date: date | None = None,
    planned_end_date: date | None = None,
    early_end_reason: str | None = None,
) -> Forloeb:
    """Move a forløb one step in its state machine.

    Locks the row, so two concurrent transitions of one forløb cannot both succeed;
    `expected_phase` is the phase the user saw, so a stale page is refused too.
    Raises TransitionError (Danish messages) or PermissionDenied and then changes nothing.

    Closing before the planned end date needs `early_end_reason` (cases.models.EarlyEndReason),
    and closing on or after it refuses one. A caller that asks no person (an afgørelse closing the
    forløb) leaves it None: the reason is then taken from the afslutningsårsag where that says it.
    """
    if transition not in case_rules.TRANSITIONS:
        raise TransitionError([_("Ukendt faseskift.")])
    today = clock.today()
    with transaction.atomic():
        forloeb = Forloeb.objects.select_for_update().select_related("borger").get(pk=forloeb_id)
        if not actor.has_perm(f"cases.transition_{transition}", forloeb):
            raise PermissionDenied(_("Du har ikke adgang til at ændre fasen for dette forløb."))
        if forloeb.phase != expected_phase:
            raise TransitionError(
                [
                    _("Forløbet er ændret af en anden i mellemtiden og står nu i fasen “%(phase)s”. Genindlæs siden.")
                    % {"phase": forloeb.get_phase_display()}
                ]
            )
        method = getattr(forloeb, transition)
        if transition not in {t.name for t in forloeb.get_all_phase_transitions() if t.source == forloeb.phase}:
            raise TransitionError(
                [
                    _("“%(label)s” er ikke muligt fra fasen “%(phase)s”.")
                    % {"label": case_rules.TRANSITION_LABELS[transition], "phase": forloeb.get_phase_display()}
                ]
            )
        failed = case_rules.failed_guards(transition, forloeb)
        data = {
            "reason": reason,
            "outcome": outcome,
            "closed_on": closed_on,
            "start_date": start_date,
            "planned_end_date": planned_end_date,
            "early_end_reason": early_end_reason,
        }
        field_errors = case_rules.transition_input_errors(transition, forloeb, data, today=today)
        if failed or field_errors:
            raise TransitionError([str(g.message) for g in failed], {k: str(v) for k, v in field_errors.items()})
        if not can_proceed(method):  # django-fsm's own view of the same conditions
            raise TransitionError([_("Faseskiftet er ikke tilladt.")])

        from_phase = forloeb.phase
        kwargs = {}
        if transition in ("grant", "grant_without_team"):
            kwargs = {"start_date": start_date, "planned_end_date": planned_end_date}
        elif transition == "close":
            kwargs = {"outcome": outcome, "closed_on": closed_on}
        method(**kwargs)
        if transition == "close":
            if early_end_reason is None and case_rules.ends_early(closed_on, forloeb.planned_end_date):
                early_end_reason = case_rules.implied_early_end_reason(outcome)
            forloeb.early_end_reason = early_end_reason or ""
        forloeb.phase_changed_at = clock.now()
        try:
            forloeb.save()
        except ConcurrentTransition:
            raise TransitionError([_("Forløbet blev ændret samtidig af en anden. Prøv igen.")]) from None
        PhaseTransition.objects.create(
            forloeb=forloeb,
            transition=transition,
            from_phase=from_phase,
            to_phase=forloeb.phase,
            actor=actor,
            at=forloeb.phase_changed_at,
            reason=reason.strip(),
            outcome=outcome if transition == "close" else "",
        )
        forloeb_changed(forloeb_id=forloeb.pk)
    return forloeb


@transaction.atomic
def forloeb_early_end_reason_set(
    *, forloeb: Forloeb, reason: str, actor: User, edit_token: str | None = None
) -> Forloeb:
    """Record or correct why a closed forløb ended before its planned end date (a forløb closed by
    an afgørelse of "andet", or before the reason was asked). `edit_token` is the form's."""
    forloeb = Forloeb.objects.select_for_update().get(pk=forloeb.pk)
    if not actor.has_perm("cases.transition_close", forloeb):
        raise PermissionDenied(_("Du har ikke adgang til at ændre dette forløb."))
    check_unchanged(forloeb, edit_token)
    if forloeb.closed_on is None:
        raise ValidationError({"early_end_reason": _("Forløbet er ikke afsluttet.")})
    errors = case_rules.early_end_reason_errors(
        closed_on=forloeb.closed_on, planned_end_date=forloeb.planned_end_date, reason=reason or ""
    )
    if errors:
        raise ValidationError({k: [str(v)] for k, v in errors.items()})
    forloeb.early_end_reason = reason
    forloeb.save(update_fields=["early_end_reason"])
    forloeb_changed(forloeb_id=forloeb.pk)
    return forloeb


def phase_label(phase: str) -> str:
    return Phase(phase).label
