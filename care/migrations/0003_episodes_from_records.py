"""One episode of care per patient per intake, for the records kept before episodes.

Each intake opens an episode on the day it started. An evaluation joins its intake's
episode; one without an intake joins the latest episode that started on or before its
visit (the patient's first episode if none did, or a new one when the patient had no
intake at all). A patient's episodes before the latest are closed on the day before the
next one starts, at the latest, or on their last visit; the latest stays open unless a
discharge evaluation was signed in it. The referral was not recorded then, and neither
was a discharge reason: both say so ("not recorded", reason "other" with a note), rather
than guess. Tested on a copy of the demo data (tests/care/test_episode_migration.py).
"""

import datetime

from django.db import migrations
from django.utils import timezone

CLOSED_NOTE = (
    "Closed when episodes of care were introduced: a later intake started a new episode."
)
DISCHARGED_NOTE = (
    "Discharge evaluation signed before episodes of care were introduced; "
    "reason not recorded."
)


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def forwards(apps, schema_editor):
    Episode = apps.get_model("care", "Episode")
    Intake = apps.get_model("intake", "Intake")
    Evaluation = apps.get_model("evaluations", "Evaluation")

    intakes: dict[int, list] = {}
    for intake in Intake.objects.filter(episode__isnull=True).order_by("started_at", "id"):
        intakes.setdefault(intake.patient_id, []).append(intake)
    evaluations: dict[int, list] = {}
    for evaluation in Evaluation.objects.filter(episode__isnull=True).order_by(
        "visit_date", "id"
    ):
        evaluations.setdefault(evaluation.patient_id, []).append(evaluation)

    for patient_id in sorted(set(intakes) | set(evaluations)):
        # Planned in memory first, then written with their final status: the database
        # allows one open episode per patient at any moment.
        plans = [
            {
                "start_of_care": _day(intake.started_at),
                "opened_at": intake.started_at,
                "opened_by_id": intake.started_by_id,
                "intakes": [intake.pk],
                "visits": [],
            }
            for intake in intakes.get(patient_id, ())
        ]
        visits = evaluations.get(patient_id, ())
        if not plans and visits:
            first = visits[0]
            plans.append(
                {
                    "start_of_care": first.visit_date,
                    "opened_at": first.created_at,
                    "opened_by_id": first.therapist_id,
                    "intakes": [],
                    "visits": [],
                }
            )
        by_intake = {pk: plan for plan in plans for pk in plan["intakes"]}
        for evaluation in visits:
            plan = by_intake.get(evaluation.intake_id)
            if plan is None:
                started = [p for p in plans if p["start_of_care"] <= evaluation.visit_date]
                plan = started[-1] if started else plans[0]
            plan["visits"].append(evaluation)

        for i, plan in enumerate(plans):
            seen = plan["visits"]
            last = max([plan["start_of_care"], *(e.visit_date for e in seen)])
            discharge = [e for e in seen if e.kind == "discharge" and e.status == "signed"]
            closing = {}
            if i + 1 < len(plans):
                following = plans[i + 1]["start_of_care"]
                on = min(last, following - datetime.timedelta(days=1))
                closing = {"discharged_on": max(on, plan["start_of_care"]), "note": CLOSED_NOTE}
            elif discharge:
                on = max(discharge[-1].visit_date, plan["start_of_care"])
                closing = {"discharged_on": on, "note": DISCHARGED_NOTE}
            episode = Episode.objects.create(
                patient_id=patient_id,
                status="closed" if closing else "open",
                start_of_care=plan["start_of_care"],
                opened_at=plan["opened_at"],
                opened_by_id=plan["opened_by_id"],
                referral="not_recorded",
                discharged_on=closing.get("discharged_on"),
                discharge_reason="other" if closing else "",
                discharge_note=closing.get("note", ""),
                closed_at=timezone.now() if closing else None,
            )
            Intake.objects.filter(pk__in=plan["intakes"]).update(episode=episode)
            Evaluation.objects.filter(pk__in=[e.pk for e in seen]).update(episode=episode)


def backwards(apps, schema_editor):
    apps.get_model("intake", "Intake").objects.update(episode=None)
    apps.get_model("evaluations", "Evaluation").objects.update(episode=None)
    apps.get_model("care", "Episode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_shipped_codes_and_roles"),
        ("intake", "0008_intake_episode"),
        ("evaluations", "0006_evaluation_episode"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
