"""evaluations.0005 over a copy of the demo data: drafts' section records are stamped with
the version they were written in; signed evaluations, locked and hashed, are left exactly
as signed and still verify. Either way the records read in today's format."""

import copy

import pytest

from evaluations import records, services
from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def _as_before_versions(content: dict) -> dict:
    """A record as written before versions: no stamps, goals in words only."""
    old = copy.deepcopy(content)
    for record in old.values():
        if isinstance(record, dict):
            record.pop("schema", None)
    for goal in (old.get("plan") or {}).get("goals") or ():
        goal.pop("comparator", None)
        goal.pop("value", None)
    return old


def _pain_goal_first(evaluation) -> bool:
    """A demo plan whose goals are pain "2/10 or less", then PSFS "7/10 or more"."""
    goals = evaluation.content["plan"]["goals"]
    return goals[0]["measure"] in ("leg_pain", "back_pain") and goals[1]["measure"] == "psfs"


def test_drafts_are_stamped_and_signed_records_stay_as_signed(settings):
    from evaluations.models import Evaluation as Current

    settings.DEBUG = True
    seed_demo(patients=12)
    draft = next(e for e in Current.objects.filter(status="draft") if _pain_goal_first(e))
    signed = next(
        e
        for e in Current.objects.filter(status="signed").select_related("patient")
        if _pain_goal_first(e)
    )
    # The demo is built with today's code: put both back in the format of before.
    for evaluation in (draft, signed):
        evaluation.content = _as_before_versions(evaluation.content)
        update = {"content": evaluation.content}
        if evaluation.is_signed:
            update["content_hash"] = services.content_hash(evaluation)
        Current.objects.filter(pk=evaluation.pk).update(**update)
    signed_before = Current.objects.get(pk=signed.pk)
    try:
        migrate([("evaluations", "0004_referral_urgency_levels")])
        migrate_to_latest()
    finally:
        migrate_to_latest()

    draft_after = Current.objects.get(pk=draft.pk)
    assert {key: record["schema"] for key, record in draft_after.content.items()} == dict.fromkeys(
        draft_after.content, 1
    )
    # Stamped only: the goals keep their words until they are read.
    assert "comparator" not in draft_after.content["plan"]["goals"][0]
    plan = records.read("plan", draft_after.content["plan"])
    assert plan["schema"] == 3
    assert [(g["comparator"], g["value"]) for g in plan["goals"][:2]] == [
        ("at_most", 2),
        ("at_least", 7),
    ]

    signed_after = Current.objects.select_related("patient").get(pk=signed.pk)
    assert signed_after.content == signed_before.content
    assert all("schema" not in r for r in signed_after.content.values())
    assert services.evaluation_verify(signed_after)
    assert records.read("plan", signed_after.content["plan"])["goals"][0]["comparator"]
