"""Synthetic demo evaluations: each vignette is a complete, signable record whose derived
findings tell its clinical story, and the demo seed builds them with the treatment notes
between them."""

import io
import random
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from evaluations import note_services, notes, services
from evaluations.demo import VIGNETTES, demo_evaluation, demo_note
from evaluations.mdt import DistalSite
from evaluations.models import Evaluation, TreatmentNote
from intake.demo import demo_answers, demo_results
from tests.evaluations.note_helpers import signed_initial
from tests.factories import IntakeFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def _intake(patient, *, radicular: bool, side: str, seed: int = 7):
    """A submitted demo intake with the leg symptoms drawn on `side` ("l" or "r")."""
    on = timezone.localdate() - timedelta(days=30)
    answers = demo_answers(random.Random(seed), today=on, radicular=radicular)
    chart = answers["where"]["chart"]
    answers["where"]["chart"] = {re.sub(r"_[lr]$", f"_{side}", k): v for k, v in chart.items()}
    return IntakeFactory(
        patient=patient,
        answers=answers,
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )


@pytest.fixture
def physio(db):
    return UserFactory(username="physio", roles=[Role.THERAPIST])


def _evaluate(patient, intake, physio, vignette, *, improvement=0.0, sign=True, kind="initial"):
    return demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=physio,
        kind=kind,
        visit_date=timezone.localdate() - timedelta(days=28),
        vignette=vignette,
        rng=random.Random(1),
        improvement=improvement,
        sign=sign,
    )


CASES = {
    # vignette: (intake radicular, intake side, age, category, side, levels, preference)
    "L5": (True, "l", 45, "RADICULOPATHY_PAINFUL", "LEFT", ["L5"], "EXTENSION"),
    "S1": (True, "r", 38, "RADICULOPATHY_PAINFUL", "RIGHT", ["S1"], "EXTENSION"),
    "somatic_extension": (False, "l", 41, "SOMATIC_REFERRED", "LEFT", [], "EXTENSION"),
    "stenosis": (False, "r", 70, "NEUROGENIC_CLAUDICATION", "RIGHT", [], "FLEXION"),
}


def test_every_vignette_is_covered():
    assert set(CASES) == set(VIGNETTES)


@pytest.mark.parametrize("vignette", list(CASES))
def test_vignette_derives_its_picture_and_verifies(vignette, physio):
    radicular, intake_side, age, category, side, levels, preference = CASES[vignette]
    patient = PatientFactory(date_of_birth=_years_ago(age))
    intake = _intake(patient, radicular=radicular, side=intake_side)

    evaluation = _evaluate(patient, intake, physio, vignette)

    evaluation.refresh_from_db()
    f = evaluation.findings
    assert f["errors"] == {}
    suggestion = f["classification"]
    assert suggestion["category"] == category, suggestion["evidence_against"]
    assert suggestion["side"] == side
    assert list(suggestion["suspected_levels"]) == levels
    assert f["movements"]["directional_preference"] == preference
    assert set(evaluation.content) == {
        "outcomes",
        "movements",
        "neurodynamic",
        "neuro",
        "classification",
        "plan",
    }
    # The therapist adopted the suggestion and wrote a rationale.
    assert evaluation.content["classification"]["category"] == category
    assert evaluation.content["classification"]["rationale"]
    assert services.sign_problems(evaluation) == []
    assert evaluation.status == Evaluation.Status.SIGNED
    assert evaluation.signed_by == physio
    assert evaluation.signed_at is not None
    assert services.evaluation_verify(evaluation)
    assert evaluation.visit_date == date.fromisoformat(evaluation.content["outcomes"]["visit_date"])
    assert f["neuro"]["raises_alert"] is False


def test_radiculopathy_levels_come_from_the_neuro_exam(physio):
    patient = PatientFactory(date_of_birth=_years_ago(45))
    l5 = _evaluate(patient, _intake(patient, radicular=True, side="l"), physio, "L5")
    (level,) = l5.findings["neuro"]["suggested_levels"]
    assert (level["side"], list(level["roots"])) == ("LEFT", ["L5"])
    assert l5.findings["neurodynamic"]["overall"] == "SUGGESTED"

    other = PatientFactory(date_of_birth=_years_ago(50))
    s1 = _evaluate(other, _intake(other, radicular=True, side="r"), physio, "S1")
    (level,) = s1.findings["neuro"]["suggested_levels"]
    assert (level["side"], list(level["roots"])) == ("RIGHT", ["S1"])
    assert s1.content["neuro"]["reflex_ACHILLES_R"] == "1+"
    assert s1.content["neuro"]["reflex_ACHILLES_L"] == "2+"


def test_somatic_and_stenosis_have_no_deficit(physio):
    for vignette, age in (("somatic_extension", 35), ("stenosis", 72)):
        patient = PatientFactory(date_of_birth=_years_ago(age))
        intake = _intake(patient, radicular=False, side="l")
        evaluation = _evaluate(patient, intake, physio, vignette)
        assert evaluation.findings["neuro"]["conduction_loss"] is False
        assert evaluation.findings["neurodynamic"]["overall"] == "NOT_SUGGESTED"


def test_without_an_intake_the_vignette_still_stands(physio):
    patient = PatientFactory(date_of_birth=_years_ago(60))
    evaluation = _evaluate(patient, None, physio, "L5")
    assert evaluation.findings["classification"]["category"] == "RADICULOPATHY_PAINFUL"
    assert services.evaluation_verify(evaluation)


def test_reevaluation_shows_improvement_and_can_stay_a_draft(physio):
    patient = PatientFactory(date_of_birth=_years_ago(45))
    intake = _intake(patient, radicular=True, side="l")
    first = _evaluate(patient, intake, physio, "L5")
    later = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=physio,
        kind=Evaluation.Kind.REEVALUATION,
        visit_date=timezone.localdate(),
        vignette="L5",
        rng=random.Random(2),
        improvement=0.8,
        sign=False,
    )
    before, after = first.content["outcomes"], later.content["outcomes"]
    assert after["leg_now"] < before["leg_now"]
    assert after["back_now"] <= before["back_now"]
    assert DistalSite(after["distal_site"]).rank < DistalSite(before["distal_site"]).rank
    # The intake's PSFS activities, rated higher.
    ids = [a["id"] for a in intake.answers["psfs"]["activities"]]
    assert [a["id"] for a in after["psfs"]] == ids
    assert sum(a["score"] for a in after["psfs"]) > sum(a["score"] for a in before["psfs"])
    # Still the same picture, a draft that could be signed.
    assert later.findings["classification"]["category"] == "RADICULOPATHY_PAINFUL"
    assert later.status == Evaluation.Status.DRAFT
    assert later.signed_at is None and later.content_hash == ""
    assert not services.evaluation_verify(later)
    assert services.sign_problems(later) == []


def test_unknown_vignette_and_future_visit_are_refused(physio, patient):
    with pytest.raises(ValueError, match="vignette"):
        _evaluate(patient, None, physio, "L4")
    with pytest.raises(ValueError, match="future"):
        demo_evaluation(
            patient=patient,
            intake=None,
            therapist=physio,
            kind="initial",
            visit_date=timezone.localdate() + timedelta(days=1),
            vignette="L5",
            rng=random.Random(1),
            improvement=0,
            sign=True,
        )


def test_seed_demo_builds_signed_evaluations_notes_and_progress(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data loaded." in out.getvalue()

    evaluations = list(Evaluation.objects.select_related("patient", "therapist"))
    assert evaluations
    today = timezone.localdate()
    assert all(e.visit_date <= today for e in evaluations)
    for e in evaluations:
        assert set(e.content) >= {"outcomes", "plan", "classification"}
        assert e.visit_date.isoformat() == e.content["outcomes"]["visit_date"]
        if e.is_signed:
            assert e.signed_by_id == e.therapist_id
            assert services.evaluation_verify(e)
        assert services.sign_problems(e) == []
    initial = [e for e in evaluations if e.kind == Evaluation.Kind.INITIAL]
    assert initial and all(e.is_signed for e in initial)
    by_episode = {}
    for e in evaluations:
        by_episode.setdefault(e.episode_id, []).append(e)
    followed = [v for v in by_episode.values() if len(v) > 1]
    assert followed and max(len(v) for v in followed) == 3
    # One patient came back after a finished course of care: two episodes, the earlier
    # discharged with a signed discharge evaluation.
    (returning,) = {e.patient for e in evaluations if e.kind == Evaluation.Kind.DISCHARGE}
    past, current = returning.episodes.order_by("start_of_care")
    assert not past.is_open and current.is_open
    assert {e.kind for e in past.evaluations.all()} == {"initial", "reevaluation", "discharge"}
    categories = {e.findings["classification"]["category"] for e in initial}
    assert {"RADICULOPATHY_PAINFUL", "SOMATIC_REFERRED", "NEUROGENIC_CLAUDICATION"} <= categories

    # The demo's progress page draws the followed-up patient's charts.
    patient = max(followed, key=len)[0].patient
    client = Client()
    client.force_login(User.objects.get(username="therapist"))
    response = client.get(reverse("evaluations:progress", args=[patient.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("leg_pain", "back_pain", "psfs", "distal"):
        assert f'data-testid="progress-{code}"' in page

    _assert_demo_notes(by_episode, past)

    # Idempotent.
    notes_before = TreatmentNote.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Evaluation.objects.count() == len(evaluations)
    assert TreatmentNote.objects.count() == notes_before


def _assert_demo_notes(by_episode, past) -> None:
    """The followed-up episodes have two to four signed treatment notes between the
    initial evaluation and the first re-evaluation, with the pain easing and the re-check
    all no; the returning patient's past course has a few; the demo therapist has one
    unsigned note today, which their home page lists."""
    today = timezone.localdate()
    all_notes = list(TreatmentNote.objects.select_related("episode", "therapist"))
    for note in all_notes:
        assert note.episode.start_of_care <= note.visit_date <= today
        assert note.therapist_id == note.episode.evaluations.first().therapist_id
        assert notes.ces_positive(note.content) == [] and not note.alerts.exists()
        assert 30 <= note.content["minutes"] <= 50
        assert all(row["done"] for row in note.content["interventions"])
        if note.is_signed:
            assert note.signed_by_id == note.therapist_id
            assert note_services.note_verify(note)
        assert note_services.sign_problems(note) == []
    signed = [n for n in all_notes if n.is_signed]
    assert sum(n.content["response"] == "CENTRALISING" for n in signed) > len(signed) / 2

    followed = {pk: v for pk, v in by_episode.items() if len(v) > 1 and pk != past.pk}
    assert followed
    for episode_id, evaluations in followed.items():
        initial, first_review = sorted(evaluations, key=lambda e: e.visit_date)[:2]
        between = sorted(
            (n for n in signed if n.episode_id == episode_id), key=lambda n: n.visit_date
        )
        assert 2 <= len(between) <= 4
        assert all(initial.visit_date < n.visit_date < first_review.visit_date for n in between)
        assert all(n.plan_from_id == initial.pk for n in between)
        legs = [initial.content["outcomes"]["leg_now"], *(n.content["leg_nprs"] for n in between)]
        assert legs == sorted(legs, reverse=True)
    assert 2 <= sum(n.episode_id == past.pk for n in signed) <= 5

    (draft,) = [n for n in all_notes if not n.is_signed]
    assert draft.therapist.username == "therapist"
    assert draft.visit_date >= today - timedelta(days=1) and draft.episode.is_open
    client = Client()
    client.force_login(draft.therapist)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("evaluations:note-detail", args=[draft.public_id]) in home


def test_demo_note_is_a_complete_signed_visit_through_the_services(physio):
    initial = signed_initial(PatientFactory(date_of_birth=_years_ago(45)), physio, days_ago=7)
    on = initial.visit_date + timedelta(days=3)

    note = demo_note(
        episode=initial.episode,
        therapist=physio,
        visit_date=on,
        rng=random.Random(5),
        improvement=0.3,
    )

    note.refresh_from_db()
    assert note.is_signed and note_services.note_verify(note)
    assert note.visit_date == on and timezone.localtime(note.signed_at).date() == on
    assert note.plan_from == initial
    assert notes.sign_problems(note.content) == []
    assert note.content["leg_nprs"] < initial.content["outcomes"]["leg_now"]
    assert set(note.content["ces_recheck"].values()) == {"no"}
    draft = demo_note(
        episode=initial.episode,
        therapist=physio,
        visit_date=timezone.localdate(),
        rng=random.Random(6),
        improvement=0.5,
        sign=False,
    )
    assert not draft.is_signed and note_services.sign_problems(draft) == []
    with pytest.raises(ValueError, match="future"):
        demo_note(
            episode=initial.episode,
            therapist=physio,
            visit_date=timezone.localdate() + timedelta(days=1),
            rng=random.Random(7),
            improvement=0.5,
        )


def test_the_demo_records_where_a_positive_test_was_felt(physio):
    """The demo exercises the body chart's "where felt" on its positive neural tests."""
    patient = PatientFactory()
    evaluation = _evaluate(patient, _intake(patient, radicular=True, side="l"), physio, "L5")
    rows = [
        row
        for row in evaluation.content["neurodynamic"]["rows"]
        if row.get("interpretation") == "POSITIVE_NEURAL"
    ]
    assert rows and all("thigh_back_" in (row.get("symptom_location") or "") for row in rows)
