"""Registering samtaler and acknowledging flags: what a caseworker may and may not save."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup import services
from followup.models import EXCUSED_NO_NEXT, Flag, FollowUpMeeting
from tests.followup.conftest import evaluate, open_flags
from tests.plans.test_min_plan import complete_plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def samtale_data(**overrides):
    data = {
        "held_on": TODAY,
        "setting": "individuel",
        "channel": "telefon",
        "borger_attended": True,
        "status_on_interventions": "Deltager stabilt i praktikken.",
        "next_on": TODAY + dt.timedelta(weeks=6),
    }
    return {**data, **overrides}


@pytest.fixture
def running(make_forloeb):
    return make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=400),
    )


def test_a_samtale_needs_a_next_date_or_a_reason_and_nothing_is_saved_without(running, caseworker):
    with pytest.raises(ValidationError) as exc:
        services.followup_register(forloeb=running, data=samtale_data(next_on=None), actor=caseworker)
    assert "next_on" in exc.value.message_dict
    assert "Aftal datoen for næste samtale" in exc.value.message_dict["next_on"][0]
    assert not FollowUpMeeting.objects.exists()


def test_a_samtale_without_a_next_date_is_saved_with_an_explicit_reason(running, caseworker):
    meeting = services.followup_register(
        forloeb=running, data=samtale_data(next_on=None, no_next_reason="afsluttes"), actor=caseworker
    )
    assert meeting.no_next_reason == "afsluttes" and meeting.no_next_reason in EXCUSED_NO_NEXT


def test_the_reason_other_needs_a_note(running, caseworker):
    with pytest.raises(ValidationError) as exc:
        services.followup_register(
            forloeb=running, data=samtale_data(next_on=None, no_next_reason="andet"), actor=caseworker
        )
    assert "no_next_note" in exc.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on", "fremtiden"),
        ({"held_on": TODAY - dt.timedelta(days=500)}, "held_on", "før forløbet blev oprettet"),
        ({"next_on": TODAY}, "next_on", "efter denne samtale"),
        ({"next_on": TODAY + dt.timedelta(days=400)}, "next_on", "mere end et år"),
        ({"setting": "telepati"}, "setting", "individuel eller i gruppe"),
        ({"no_next_reason": "afsluttes"}, "no_next_reason", "fjern årsagen eller datoen"),
        ({"revise_plan": True, "revision_reason": ""}, "revision_reason", "Skriv hvad der ændres"),
    ],
)
def test_bad_input_is_refused_with_a_danish_message_on_its_field(running, caseworker, overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        services.followup_register(forloeb=running, data=samtale_data(**overrides), actor=caseworker)
    assert any(message in m for m in exc.value.message_dict[field])
    assert not FollowUpMeeting.objects.exists()


def test_only_someone_in_the_forloebs_team_may_register_or_hold_it(running, outsider, caseworker):
    with pytest.raises(PermissionDenied):
        services.followup_register(forloeb=running, data=samtale_data(), actor=outsider)
    with pytest.raises(ValidationError) as exc:
        services.followup_register(forloeb=running, data=samtale_data(held_by=outsider), actor=caseworker)
    assert "held_by" in exc.value.message_dict


def test_holding_a_samtale_can_start_a_revision_of_the_indsatsplan_in_the_same_step(granted, caseworker):
    complete_plan(granted, caseworker)
    meeting = services.followup_register(
        forloeb=granted,
        data=samtale_data(revise_plan=True, revision_reason="Praktikken skiftes til løntilskud"),
        actor=caseworker,
    )
    revision = meeting.plan_revision
    assert revision.version == 2 and revision.is_draft
    assert revision.revision_reason.startswith(f"Opfølgningssamtale {TODAY:%d.%m.%Y}: Praktikken skiftes")


def test_a_refused_plan_revision_saves_no_samtale_either(granted, caseworker):
    """There is no completed plan to revise: the revision is refused, so the samtale is not saved either."""
    with pytest.raises(ValidationError) as exc:
        services.followup_register(
            forloeb=granted, data=samtale_data(revise_plan=True, revision_reason="Ny praktik"), actor=caseworker
        )
    assert "revise_plan" in exc.value.message_dict
    assert not FollowUpMeeting.objects.exists()


def test_a_saved_samtale_queues_reevaluation_on_commit_and_the_overdue_flag_clears(
    running, caseworker, django_capture_on_commit_callbacks
):
    evaluate(TODAY)
    assert "STD_SAMTALE_OVERDUE" in open_flags(running)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.followup_register(forloeb=running, data=samtale_data(), actor=caseworker)
    assert callbacks  # the change listener ran after the commit (Celery runs eagerly without Redis)
    flag = Flag.objects.get(forloeb=running, rule_id="STD_SAMTALE_OVERDUE")
    assert flag.resolved_on == TODAY and flag.resolution == "ophoert"


def test_acknowledging_a_flag_needs_a_comment_and_keeps_it_open(running, caseworker):
    evaluate(TODAY)
    flag = Flag.objects.get(forloeb=running, rule_id="STD_SAMTALE_OVERDUE")
    with pytest.raises(ValidationError):
        services.flag_acknowledge(flag=flag, comment=" ", actor=caseworker)
    services.flag_acknowledge(flag=flag, comment="Samtale booket til fredag", actor=caseworker)
    flag.refresh_from_db()
    assert flag.acknowledged_by == caseworker and flag.acknowledged_at and flag.is_open
    with pytest.raises(ValidationError):
        services.flag_acknowledge(flag=flag, comment="Igen", actor=caseworker)


def test_the_database_refuses_a_second_open_flag_for_the_same_rule_and_subject(running):
    evaluate(TODAY)
    flag = Flag.objects.filter(forloeb=running).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            forloeb=running,
            rule_id=flag.rule_id,
            rule_version=flag.rule_version,
            pack=flag.pack,
            basis_kind=flag.basis_kind,
            basis=flag.basis,
            subject=flag.subject,
            raised_on=TODAY,
            raised_at=timezone.now(),
        )


def test_the_morning_digest_mails_counts_and_a_link_but_no_names(running, caseworker, kommune, mailoutbox):
    from followup.models import RuleSettings

    evaluate(TODAY)
    caseworker.email = "karin@testrup.dk"
    caseworker.save()
    assert services.digests_send(today=TODAY) == 0  # the kommune has not switched it on
    RuleSettings.objects.create(kommune=kommune, digest_enabled=True)
    assert services.digests_send(today=TODAY, base_url="https://forloeb.testrup.dk") == 1
    (mail,) = mailoutbox
    assert mail.to == ["karin@testrup.dk"] and "Overskredne samtaler: 1" in mail.body
    assert "https://forloeb.testrup.dk/min-dag/" in mail.body
    assert running.borger.full_name not in mail.body and running.borger.cpr not in mail.body


def test_a_broken_broker_does_not_lose_the_saved_samtale(
    running, caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    from followup import outbox, tasks
    from followup.models import EvaluationRequest

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.drain_outbox, "apply_async", broker_down)
    monkeypatch.setattr(outbox, "_publish_paused_until", 0.0)  # the failure pauses publishing; undone after
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_register(forloeb=running, data=samtale_data(), actor=caseworker)
    assert FollowUpMeeting.objects.filter(forloeb=running).exists()
    assert EvaluationRequest.objects.filter(forloeb=running).exists()  # waiting for the sweep
