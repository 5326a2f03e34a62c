"""evaluations.0004 over a copy of the demo data: drafts that chose "soon" become
"urgent"; signed evaluations, locked and hashed, keep what they say."""

import pytest

from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_draft_referral_marked_soon_becomes_urgent_and_a_signed_one_is_left_alone(settings):
    from evaluations.models import Evaluation as Current

    settings.DEBUG = True
    seed_demo(patients=12)
    draft = Current.objects.filter(status="draft").first()
    signed = Current.objects.filter(status="signed").first()
    for evaluation in (draft, signed):
        content = dict(evaluation.content)
        content["plan"] = {**content.get("plan", {}), "referral": True, "referral_urgency": "soon"}
        Current.objects.filter(pk=evaluation.pk).update(content=content)
    try:
        migrate([("evaluations", "0003_export_index")])
        migrate_to_latest()
    finally:
        migrate_to_latest()
    assert Current.objects.get(pk=draft.pk).content["plan"]["referral_urgency"] == "urgent"
    assert Current.objects.get(pk=signed.pk).content["plan"]["referral_urgency"] == "soon"
