"""Synthetic evaluations for demo data and tests. Never real patients.

Every section goes through its real form (`sections.SECTIONS[key].build(...).content()`), exactly
as a therapist's save would store it, so the demo record is one the app itself could have written:
the findings are derived by `services.derive` and a signed record carries a real content hash.

Four vignettes, each a coherent clinical picture:

- "L5": left L5 radiculopathy with radicular pain. Great-toe extension 3/5 and L5 light touch
  reduced on the left, SLR positive on the left (40° against 80°, ankle dorsiflexion
  increases it), extension in lying centralises and flexion in standing peripheralises.
- "S1": right S1 radiculopathy. Plantarflexion weak and the Achilles reflex 1+ on the right
  (2+ on the left), S1 sensation reduced, SLR positive on the right, extension centralises.
- "somatic_extension": somatic referred pain to the buttock and thigh with an extension
  preference. Extension in lying abolishes it, flexion in standing makes it worse, the neuro
  exam is normal and the SLR negative on both sides.
- "stenosis": neurogenic claudication. Walking and standing bring on the leg symptoms,
  sitting and bending forward relieve them; flexion in lying eases them and extension in
  standing produces them. Achilles reflexes 1+ on both sides (symmetric, age-related), no
  deficit, SLR negative.

`improvement` (0 to 1) is how far the patient has come since the first visit: pain falls,
the most distal symptom moves towards the spine, PSFS ratings rise and the signs ease (the
objective deficits ease but persist, so the classification stays the same).

Treatment notes (`demo_note`) go through the note's real services too: started on the
episode from its latest signed plan of care, saved with the whole form as the page posts
it (every planned intervention done, the cauda equina re-check all no), then signed. Their
pain and most distal symptom follow the episode's initial evaluation by the same
`improvement`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from care.demo import demo_episode
from evaluations import note_services, notes, sections, services
from evaluations.demo_case import Case
from evaluations.mdt import DistalSite
from evaluations.models import Evaluation, TreatmentNote

VIGNETTES = ("L5", "S1", "somatic_extension", "stenosis")
SECTION_ORDER = tuple(sections.SECTIONS)


def demo_evaluation(
    *,
    patient,
    intake,
    therapist,
    kind: str,
    visit_date: date,
    vignette: str,
    rng: random.Random,
    improvement: float,
    sign: bool,
) -> Evaluation:
    """Create and return one complete evaluation (all six sections valid), signed by the
    therapist if `sign`. Raises ValueError if a section does not validate (a bug here)."""
    if vignette not in VIGNETTES:
        raise ValueError(f"Unknown vignette {vignette!r}; choose from {', '.join(VIGNETTES)}.")
    if kind not in Evaluation.Kind.values:
        raise ValueError(f"Unknown evaluation kind {kind!r}.")
    today = timezone.localdate()
    if visit_date > today:
        raise ValueError("A demo visit date cannot be in the future.")
    improvement = max(0.0, min(1.0, float(improvement)))
    now = timezone.now()
    created = min(
        timezone.make_aware(datetime.combine(visit_date, time(9))) + _minutes(rng, 0, 420), now
    )
    evaluation = Evaluation(
        patient=patient,
        episode=intake.episode
        if intake is not None
        else demo_episode(patient=patient, on=visit_date, by=therapist),
        intake=intake,
        therapist=therapist,
        kind=kind,
        visit_date=visit_date,
        created_at=created,
        updated_at=created,
    )
    basis = services.intake_basis(evaluation)
    ctx = services.section_context(evaluation, basis, odi_licensed=False)
    case = Case(vignette, rng, improvement, visit_date, today, basis.answers, ctx)

    for key in SECTION_ORDER:
        evaluation.content[key] = _section(key, ctx, case.data(key))
    # Like a therapist pressing "start from the suggestion": the category, side, levels and
    # grades come from what the findings suggest; the rationale is the therapist's own.
    suggestion = services.derive(evaluation, basis).get("classification") or {}
    evaluation.content["classification"] = _section(
        "classification", ctx, case.classification(suggestion)
    )
    evaluation.findings = services.derive(evaluation, basis)
    evaluation.section_versions = dict.fromkeys(SECTION_ORDER, 1)
    evaluation.updated_at = min(created + _minutes(rng, 30, 90), now)

    if sign:
        problems = services.sign_problems(evaluation)
        if problems:
            raise ValueError(f"Demo {vignette} evaluation cannot be signed: {problems}")
        evaluation.status = Evaluation.Status.SIGNED
        evaluation.signed_by = therapist
        signed = min(created + _minutes(rng, 60, 180), now)
        evaluation.signed_at = max(evaluation.updated_at, signed)
        evaluation.content_hash = services.content_hash(evaluation)
    evaluation.save()
    return evaluation


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def _section(key: str, ctx, data: dict[str, Any]) -> dict[str, Any]:
    form = sections.SECTIONS[key].build(ctx, data=_querydict(data))
    if not form.is_valid():
        raise ValueError(f"Demo {key} section does not validate: {form.errors}")
    return form.content()


def _querydict(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list | tuple):
            q.setlist(name, [str(v) for v in value])
        elif value is True:
            q[name] = "on"
        elif value is not None and value is not False:
            q[name] = str(value)
    return q


# --- Treatment notes ---------------------------------------------------------------------------

_NOTE_TEXT = {
    notes.Response.CENTRALISING: (
        "Repeated movements as planned: the leg symptoms moved up towards the back during "
        "the session.",
        "Symptoms centralised with the repetitions. Home programme checked and progressed.",
        "Leg symptoms eased towards the spine with the repeated movements; technique good.",
    ),
    notes.Response.NO_EFFECT: (
        "No change in the symptoms within the session. Technique checked; home programme reviewed.",
    ),
    notes.Response.ABOLISHED: (
        "Symptoms abolished by the end of the session. Keep up the home programme.",
    ),
}


def demo_note(
    *,
    episode,
    therapist,
    visit_date: date,
    rng: random.Random,
    improvement: float,
    sign: bool = True,
) -> TreatmentNote:
    """Create and return one complete treatment note on `episode` for `visit_date`, signed
    by the therapist if `sign`: `note_start` (so the episode needs a signed evaluation),
    then `note_save` with every field of the form. Signed as `demo_evaluation` signs, on
    the visit's day without a password: the sign problems checked, then status, signer,
    time and content hash set. Raises ValueError if the note does not save or cannot be
    signed (a bug here)."""
    today = timezone.localdate()
    if visit_date > today:
        raise ValueError("A demo visit date cannot be in the future.")
    if visit_date < episode.start_of_care:
        raise ValueError("A demo visit date cannot be before the episode began.")
    improvement = max(0.0, min(1.0, float(improvement)))
    note = note_services.note_start(episode=episode, by=therapist)
    result = note_services.note_save(
        note=note,
        data=_note_post(note, visit_date, rng, improvement),
        by=therapist,
        version=note.version,
    )
    if result.status != "saved":
        raise ValueError(f"Demo treatment note did not save: {result.form.errors}")
    note = result.note
    now = timezone.now()
    created = min(
        timezone.make_aware(datetime.combine(visit_date, time(9))) + _minutes(rng, 0, 420), now
    )
    updated = min(created + _minutes(rng, 30, 60), now)
    TreatmentNote.objects.filter(pk=note.pk).update(created_at=created, updated_at=updated)
    note.created_at, note.updated_at = created, updated
    if sign:
        problems = note_services.sign_problems(note)
        if problems:
            raise ValueError(f"Demo treatment note cannot be signed: {problems}")
        note.status = TreatmentNote.Status.SIGNED
        note.signed_by = therapist
        note.signed_at = max(updated, min(created + _minutes(rng, 45, 120), now))
        note.content_hash = note_services.content_hash(note)
        note.save(update_fields=["status", "signed_by", "signed_at", "content_hash"])
    return note


def _note_post(
    note: TreatmentNote, visit_date: date, rng: random.Random, improvement: float
) -> QueryDict:
    """What the note's page posts for a complete visit: the plan's interventions all done
    as planned, the re-check all no, pain and the most distal symptom `improvement` of
    the way from the initial evaluation's."""
    back, leg, site = _note_outcomes(note, improvement)
    roll = rng.random()
    if roll < 0.15:
        response = notes.Response.NO_EFFECT
    elif roll < 0.3 and improvement >= 0.5:
        response = notes.Response.ABOLISHED
    else:
        response = notes.Response.CENTRALISING
    adherence = rng.choices(
        (notes.Adherence.ALL, notes.Adherence.MOST, notes.Adherence.SOME), weights=(3, 5, 2)
    )[0]
    data: dict[str, Any] = {
        "visit_date": visit_date.isoformat(),
        "response": response.value,
        "distal_site": site.value,
        "back_nprs": back,
        "leg_nprs": leg,
        "hep_adherence": adherence.value,
        "minutes": rng.randint(30, 50),
        "notes": rng.choice(_NOTE_TEXT[response]),
    }
    data |= {notes.ces_field(item.code): "no" for item in notes.ces_items()}
    for name, value in notes.form_values(note.content, note.visit_date).items():
        if name.startswith("iv_") and value is not False and value is not None:
            data[name] = value
    for i, _row in enumerate(notes.read(note.content)["interventions"]):
        data[notes.done_field(i)] = True
    return _querydict(data)


def _note_outcomes(note: TreatmentNote, improvement: float) -> tuple[int, int, DistalSite]:
    """Back and leg pain and the most distal symptom, `improvement` of the way on from the
    episode's initial evaluation, as `demo_case.Case` moves them."""
    initial = (
        Evaluation.objects.signed()
        .filter(episode_id=note.episode_id, kind=Evaluation.Kind.INITIAL)
        .order_by("visit_date", "created_at")
        .first()
    ) or note.plan_from
    outcomes = (initial.content.get("outcomes") if initial else None) or {}
    back0, leg0 = (
        value if isinstance(value, int) else default
        for value, default in ((outcomes.get("back_now"), 4), (outcomes.get("leg_now"), 6))
    )
    try:
        start = DistalSite(outcomes.get("distal_site") or DistalSite.THIGH)
    except ValueError:
        start = DistalSite.THIGH
    floor = DistalSite.UNILAT_LB.rank
    sites = tuple(DistalSite)
    site = (
        sites[start.rank - round(improvement * (start.rank - floor))]
        if start.rank > floor
        else start
    )
    return round(back0 * (1 - 0.6 * improvement)), round(leg0 * (1 - 0.75 * improvement)), site
