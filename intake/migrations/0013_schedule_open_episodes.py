"""Existing open episodes get the follow-up questionnaires their latest signed plan of care
asks for, as if it were signed today (intake.followup.schedule.before_visits): a clinic
upgrading sees on the front desk's home the packets due before the visits already booked.
The dates are worked out here, not by the app's module, so the migration keeps meaning
what it meant when it was written."""

import datetime

from django.db import migrations
from django.utils import timezone

LEAD_DAYS = 3  # the clinic setting's default (core 0003), used where no clinic row exists


def _plan(content):
    plan = content.get("plan") or {}
    visit = (content.get("outcomes") or {}).get("visit_date")
    reeval, weeks = plan.get("reeval_date") or None, plan.get("weeks") or None
    if not visit or not (reeval or weeks):
        return None
    visit = datetime.date.fromisoformat(visit)
    return (
        datetime.date.fromisoformat(reeval) if reeval else None,
        visit + datetime.timedelta(weeks=int(weeks)) if weeks else None,
    )


def _due(reeval, end, *, lead, today):
    out = []
    if reeval and reeval >= today and not (end and reeval >= end):
        out.append(("reevaluation", max(today, reeval - lead)))
    if end and end >= today:
        out.append(("discharge", max(today, end - lead)))
    return out


def forwards(apps, schema_editor):
    Episode = apps.get_model("care", "Episode")
    Evaluation = apps.get_model("evaluations", "Evaluation")
    Intake = apps.get_model("intake", "Intake")
    Clinic = apps.get_model("core", "Clinic")
    clinic = Clinic.objects.filter(pk=1).first()
    lead = datetime.timedelta(days=clinic.followup_lead_days if clinic else LEAD_DAYS)
    today = timezone.localdate()
    now = timezone.now()
    for episode in Episode.objects.filter(status="open").iterator():
        latest = (
            Evaluation.objects.filter(
                episode=episode, status="signed", kind__in=("initial", "reevaluation")
            )
            .order_by("-visit_date", "-created_at")
            .only("content")
            .first()
        )
        plan = _plan(latest.content) if latest else None
        if plan is None:
            continue
        for purpose, due_on in _due(*plan, lead=lead, today=today):
            exists = (
                Intake.objects.filter(
                    episode=episode, kind="follow_up", purpose=purpose, due_on=due_on
                )
                .exclude(status="cancelled")
                .exists()
            )
            if not exists:
                Intake.objects.create(
                    patient_id=episode.patient_id,
                    episode=episode,
                    kind="follow_up",
                    purpose=purpose,
                    due_on=due_on,
                    status="scheduled",
                    started_at=now,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0012_alert_disposition"),
        ("core", "0003_follow_up_packets"),
        ("evaluations", "0008_treatment_notes"),
    ]

    # Back: the packets stay, valid under the earlier schema too (its columns came in 0011).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
