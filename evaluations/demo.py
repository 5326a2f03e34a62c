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
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from care.demo import demo_episode
from evaluations import sections, services
from evaluations.demo_case import Case
from evaluations.models import Evaluation

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
