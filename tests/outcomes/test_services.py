"""Recording what became of the borger (outcomes.services): the forsørgelsesstatus from the day it
is to be measured, the result of the forløb with its dates kept consistent, the sanctions, and
corrections that never overwrite what someone else saved since the form was loaded."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import clock
from cases.concurrency import StaleEdit, edit_token
from outcomes import services
from outcomes.models import (
    BonusStatus,
    ExitStatus,
    ExitStatusCode,
    FollowUpPoint,
    ForloebResult,
    HoursSource,
    Sanction,
    SanctionReason,
    SanctionType,
)
from outcomes.selectors import results_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()
VALID_CVR = "13585628"  # a CVR number with a correct check digit


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def record(forloeb, actor, point="1m", **kwargs):
    data = {"code": ExitStatusCode.KONTANTHJ, **kwargs}
    return services.exit_status_record(forloeb=forloeb, point=point, actor=actor, **data)


# --- Forsørgelsesstatus -------------------------------------------------------------------------


def test_the_status_one_month_after_can_be_recorded_on_its_due_day(closed_forloeb, caseworker):
    closed = TODAY - dt.timedelta(days=40)
    forloeb = closed_forloeb(days_ago=40)
    assert FollowUpPoint.ONE_MONTH.due_on(closed) <= TODAY

    status = record(
        forloeb,
        caseworker,
        code=ExitStatusCode.FLEKSJOB,
        job_hours_per_week=Decimal("12.5"),
        hours_source=HoursSource.KONTRAKT,
    )

    assert (status.code, status.job_hours_per_week, status.recorded_by) == (
        ExitStatusCode.FLEKSJOB,
        Decimal("12.5"),
        caseworker,
    )
    assert results_for([forloeb.pk])[forloeb.pk].status_1m == ExitStatusCode.FLEKSJOB


def test_the_status_cannot_be_recorded_before_its_due_day(closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=80)  # 13 weeks is 91 days: due in 11 days
    with pytest.raises(ValidationError) as excinfo:
        record(forloeb, caseworker, point="13u")
    due = FollowUpPoint.THIRTEEN_WEEKS.due_on(forloeb.closed_on)
    assert "13 uger efter afslutning kan registreres fra" in " ".join(errors_of(excinfo)["__all__"])
    assert due > TODAY
    assert not ExitStatus.objects.exists()


def test_the_status_cannot_be_recorded_while_the_forloeb_is_open(running_forloeb, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        record(running_forloeb, caseworker)
    assert "Forløbet er ikke afsluttet" in " ".join(errors_of(excinfo)["__all__"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": ExitStatusCode.ORD_BESK}, "job_hours_per_week", "Angiv hvor mange timer"),
        (
            {"code": ExitStatusCode.ORD_BESK, "job_hours_per_week": Decimal("38"), "hours_source": "borger"},
            "job_hours_per_week",
            "mellem 0 og 37",
        ),
        (
            {"code": ExitStatusCode.ORD_BESK, "job_hours_per_week": Decimal("12.25"), "hours_source": "borger"},
            "job_hours_per_week",
            "højst én decimal",
        ),
        ({"code": ExitStatusCode.ORD_BESK, "job_hours_per_week": Decimal("20")}, "hours_source", "hvor timetallet"),
        (
            {"code": ExitStatusCode.FP, "job_hours_per_week": Decimal("5"), "hours_source": "borger"},
            "job_hours_per_week",
            "kun til ordinær beskæftigelse",
        ),
        ({"code": "OPFUNDET"}, "code", "Vælg borgerens forsørgelsesstatus"),
    ],
)
def test_bad_status_input_is_refused_in_danish_on_its_field(closed_forloeb, caseworker, data, field, message):
    forloeb = closed_forloeb(days_ago=40)
    with pytest.raises(ValidationError) as excinfo:
        record(forloeb, caseworker, **data)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not ExitStatus.objects.exists()


def test_ordinary_work_keeps_its_hours_and_their_source(closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=100)
    record(
        forloeb,
        caseworker,
        point="13u",
        code=ExitStatusCode.ORD_BESK,
        job_hours_per_week=Decimal("37"),
        hours_source=HoursSource.EINDKOMST,
    )
    status = ExitStatus.objects.get(forloeb=forloeb, point="13u")
    assert (status.code, status.job_hours_per_week, status.hours_source) == ("ORD_BESK", Decimal("37.0"), "eindkomst")


def test_a_correction_from_a_stale_page_is_refused_and_changes_nothing(closed_forloeb, caseworker, teammate):
    forloeb = closed_forloeb(days_ago=40)
    status = record(forloeb, caseworker)
    token = edit_token(status, services.EXIT_STATUS_FIELDS)  # the page as the caseworker loaded it
    record(
        forloeb, teammate, code=ExitStatusCode.SYGEDAGPENGE, edit_token=edit_token(status, services.EXIT_STATUS_FIELDS)
    )

    with pytest.raises(StaleEdit) as excinfo:
        record(forloeb, caseworker, code=ExitStatusCode.A_DAGPENGE, edit_token=token)

    assert "Forsørgelsesstatus: Sygedagpenge" in " ".join(excinfo.value.messages)
    status.refresh_from_db()
    assert (status.code, status.recorded_by) == (ExitStatusCode.SYGEDAGPENGE, teammate)


def test_a_status_recorded_by_someone_else_since_the_page_showed_none_is_not_overwritten(
    closed_forloeb, caseworker, teammate
):
    forloeb = closed_forloeb(days_ago=40)
    none_yet = edit_token(ExitStatus(forloeb=forloeb, point="1m"), services.EXIT_STATUS_FIELDS)
    record(forloeb, teammate, code=ExitStatusCode.FP, edit_token=none_yet)

    with pytest.raises(StaleEdit):
        record(forloeb, caseworker, code=ExitStatusCode.KONTANTHJ, edit_token=none_yet)
    assert ExitStatus.objects.get(forloeb=forloeb).code == ExitStatusCode.FP


def test_a_correction_with_a_fresh_token_replaces_the_status_and_records_who(closed_forloeb, caseworker, teammate):
    forloeb = closed_forloeb(days_ago=40)
    status = record(forloeb, caseworker)
    record(forloeb, teammate, code=ExitStatusCode.SELVFORS, edit_token=edit_token(status, services.EXIT_STATUS_FIELDS))
    status.refresh_from_db()
    assert (status.code, status.recorded_by) == (ExitStatusCode.SELVFORS, teammate)
    assert ExitStatus.objects.count() == 1


def test_someone_outside_the_team_may_record_nothing(closed_forloeb, outsider):
    forloeb = closed_forloeb(days_ago=40)
    with pytest.raises(PermissionDenied):
        record(forloeb, outsider)
    with pytest.raises(PermissionDenied):
        services.result_update(forloeb=forloeb, actor=outsider, fp_held_before=True)
    with pytest.raises(PermissionDenied):
        services.sanction_add(
            forloeb=forloeb, imposed_on=TODAY, kind="fradrag", reason="ikke_medvirket", actor=outsider
        )
    assert not ExitStatus.objects.exists() and not ForloebResult.objects.exists() and not Sanction.objects.exists()


def test_the_team_leader_may_record(closed_forloeb, team_leader):
    forloeb = closed_forloeb(days_ago=40)
    assert record(forloeb, team_leader).recorded_by == team_leader


# --- The result ---------------------------------------------------------------------------------


def test_the_first_save_creates_the_result_and_later_saves_keep_what_is_not_given(closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    visited = forloeb.closed_on - dt.timedelta(days=60)
    services.result_update(
        forloeb=forloeb, actor=caseworker, fleksjob_visiteret_on=visited, fleksjob_expected_hours=Decimal("15")
    )
    result = ForloebResult.objects.get(forloeb=forloeb)
    services.result_update(
        forloeb=forloeb,
        actor=caseworker,
        edit_token=edit_token(result, services.RESULT_EDIT_FIELDS),
        fleksjob_employed_on=visited + dt.timedelta(days=30),
        fleksjob_hours_per_week=Decimal("14.5"),
        fleksjob_employer_cvr=VALID_CVR,
    )
    result.refresh_from_db()
    assert (result.fleksjob_visiteret_on, result.fleksjob_expected_hours) == (visited, Decimal("15.0"))
    assert (result.fleksjob_hours_per_week, result.fleksjob_employer_cvr) == (Decimal("14.5"), VALID_CVR)
    assert result.updated_by == caseworker


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"fleksjob_employer_cvr": "12345678"}, "fleksjob_employer_cvr", "CVR-nummeret er ikke gyldigt"),
        ({"fleksjob_employer_cvr": "1234"}, "fleksjob_employer_cvr", "CVR-nummeret er ikke gyldigt"),
        (
            {"job_hours_per_week": Decimal("40"), "ordinary_job_from": "closed", "hours_source": "borger"},
            "job_hours_per_week",
            "mellem 0 og 37",
        ),
        ({"job_hours_per_week": Decimal("20"), "hours_source": "borger"}, "ordinary_job_from", "begyndte i jobbet"),
        ({"ordinary_job_from": "future"}, "ordinary_job_from", "fremtiden"),
        ({"fp_tilkendt_on": "before_opened"}, "fp_tilkendt_on", "før forløbet blev oprettet"),
        (
            {"fleksjob_bonus_status": BonusStatus.PAID, "fleksjob_employed_on": "employed"},
            "fleksjob_bonus_paid_on",
            "hvornår bonussen blev udløst",
        ),
        (
            {
                "fleksjob_bonus_status": BonusStatus.PREAPPROVED,
                "fleksjob_employed_on": "employed",
                "fleksjob_bonus_preapproved_on": "employed",
                "fleksjob_bonus_paid_on": "closed",
            },
            "fleksjob_bonus_paid_on",
            "kun forhåndsgodkendt",
        ),
        (
            {"fleksjob_bonus_status": BonusStatus.NONE, "fleksjob_bonus_paid_on": "closed"},
            "fleksjob_bonus_paid_on",
            "Der er ingen bonus",
        ),
        (
            {"fleksjob_bonus_status": BonusStatus.PREAPPROVED, "fleksjob_bonus_preapproved_on": "closed"},
            "fleksjob_bonus_status",
            "forudsætter en ansættelse",
        ),
        ({"fleksjob_employed_on": "employed"}, "fleksjob_visiteret_on", "forudsætter en visitation"),
        (
            {"fleksjob_visiteret_on": "closed", "fleksjob_employed_on": "employed"},
            "fleksjob_employed_on",
            "før visitationen",
        ),
        ({"revalidering_type": "revalidering"}, "revalidering_from", "hvornår revalideringen begyndte"),
        ({"fp_indstillet_on": "closed", "fp_tilkendt_on": "employed"}, "fp_tilkendt_on", "før der blev indstillet"),
        ({"fp_decision_ref": "J.nr. 12"}, "fp_tilkendt_on", "hvornår førtidspensionen blev tilkendt"),
    ],
)
def test_inconsistent_result_input_is_refused_in_danish_on_its_field(
    closed_forloeb, caseworker, fields, field, message
):
    forloeb = closed_forloeb(days_ago=10)
    days = {
        "closed": forloeb.closed_on,
        "employed": forloeb.closed_on - dt.timedelta(days=30),
        "future": TODAY + dt.timedelta(days=1),
        "before_opened": forloeb.opened_on - dt.timedelta(days=1),
    }
    fields = {name: days.get(value, value) if isinstance(value, str) else value for name, value in fields.items()}
    with pytest.raises(ValidationError) as excinfo:
        services.result_update(forloeb=forloeb, actor=caseworker, **fields)
    assert message in " ".join(errors_of(excinfo).get(field, [])), errors_of(excinfo)
    assert not ForloebResult.objects.exists()


def test_a_paid_bonus_after_its_preapproval_is_kept_with_both_dates(closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    visited = forloeb.closed_on - dt.timedelta(days=200)
    employed, preapproved, paid = (visited + dt.timedelta(days=d) for d in (30, 40, 150))
    services.result_update(
        forloeb=forloeb,
        actor=caseworker,
        fleksjob_visiteret_on=visited,
        fleksjob_employed_on=employed,
        fleksjob_bonus_status=BonusStatus.PAID,
        fleksjob_bonus_preapproved_on=preapproved,
        fleksjob_bonus_paid_on=paid,
    )
    result = results_for([forloeb.pk])[forloeb.pk]
    assert (result.fleksjob_bonus_status, result.fleksjob_bonus_preapproved_on, result.fleksjob_bonus_paid_on) == (
        BonusStatus.PAID,
        preapproved,
        paid,
    )


def test_indstillet_and_tilkendt_foertidspension_are_kept_apart(closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    indstillet = forloeb.closed_on - dt.timedelta(days=50)
    services.result_update(forloeb=forloeb, actor=caseworker, fp_indstillet_on=indstillet)
    result = results_for([forloeb.pk])[forloeb.pk]
    assert (result.fp_indstillet_on, result.fp_tilkendt_on) == (indstillet, None)


def test_a_stale_result_form_is_refused_and_changes_nothing(closed_forloeb, caseworker, teammate):
    forloeb = closed_forloeb(days_ago=10)
    services.result_update(
        forloeb=forloeb, actor=caseworker, revalidering_type="revalidering", revalidering_from=forloeb.closed_on
    )
    result = ForloebResult.objects.get(forloeb=forloeb)
    token = edit_token(result, services.RESULT_EDIT_FIELDS)
    services.result_update(forloeb=forloeb, actor=teammate, edit_token=token, revalidering_type="forrevalidering")

    with pytest.raises(StaleEdit):
        services.result_update(forloeb=forloeb, actor=caseworker, edit_token=token, fp_held_before=True)
    result.refresh_from_db()
    assert (result.revalidering_type, result.fp_held_before) == ("forrevalidering", False)


# --- Sanctions ----------------------------------------------------------------------------------


def test_a_sanction_is_recorded_with_its_date_type_and_reason(running_forloeb, caseworker):
    sanction = services.sanction_add(
        forloeb=running_forloeb,
        imposed_on=TODAY - dt.timedelta(days=3),
        kind=SanctionType.NEDSAETTELSE,
        reason=SanctionReason.NOT_COMPLETED,
        note="  Udeblev fra praktikken tre gange.  ",
        actor=caseworker,
    )
    assert (sanction.kind, sanction.reason, sanction.note, sanction.recorded_by) == (
        "nedsaettelse",
        "ikke_gennemfoert",
        "Udeblev fra praktikken tre gange.",
        caseworker,
    )


@pytest.mark.parametrize(
    ("imposed_on", "kind", "reason", "field", "message"),
    [
        (None, "fradrag", "ikke_medvirket", "imposed_on", "Angiv datoen"),
        ("future", "fradrag", "ikke_medvirket", "imposed_on", "fremtiden"),
        ("before_opened", "fradrag", "ikke_medvirket", "imposed_on", "før forløbet blev oprettet"),
        ("today", "bøde", "ikke_medvirket", "kind", "Vælg sanktionens type"),
        ("today", "fradrag", "", "reason", "ikke har medvirket"),
    ],
)
def test_bad_sanction_input_is_refused_on_its_field(
    running_forloeb, caseworker, imposed_on, kind, reason, field, message
):
    day = {
        "future": TODAY + dt.timedelta(days=1),
        "before_opened": running_forloeb.opened_on - dt.timedelta(days=1),
        "today": TODAY,
    }.get(imposed_on)
    with pytest.raises(ValidationError) as excinfo:
        services.sanction_add(forloeb=running_forloeb, imposed_on=day, kind=kind, reason=reason, actor=caseworker)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Sanction.objects.exists()


def test_a_sanction_corrected_from_a_stale_page_is_refused(running_forloeb, caseworker, teammate):
    sanction = services.sanction_add(
        forloeb=running_forloeb, imposed_on=TODAY, kind="fradrag", reason="ikke_medvirket", actor=caseworker
    )
    token = edit_token(sanction, services.SANCTION_FIELDS)
    services.sanction_update(
        sanction=sanction, imposed_on=TODAY, kind="ophoer", reason="ikke_medvirket", actor=teammate, edit_token=token
    )
    with pytest.raises(StaleEdit):
        services.sanction_update(
            sanction=sanction,
            imposed_on=TODAY,
            kind="fradrag",
            reason="ikke_gennemfoert",
            actor=caseworker,
            edit_token=token,
        )
    sanction.refresh_from_db()
    assert (sanction.kind, sanction.reason, sanction.recorded_by) == ("ophoer", "ikke_medvirket", teammate)


def test_another_kommunes_administrator_cannot_correct_a_sanction(running_forloeb, caseworker):
    from cases.models import Role
    from tests.factories import KommuneFactory

    admin_b = UserFactory(role=Role.ADMINISTRATOR, kommune=KommuneFactory(code="111", name="Anden Kommune"))
    sanction = services.sanction_add(
        forloeb=running_forloeb, imposed_on=TODAY, kind="fradrag", reason="ikke_medvirket", actor=caseworker
    )
    with pytest.raises(PermissionDenied):
        services.sanction_update(
            sanction=sanction, imposed_on=TODAY, kind="ophoer", reason="ikke_medvirket", actor=admin_b
        )
