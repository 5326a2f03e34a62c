"""The referral letter (issue 17 point 6): to the episode's referrer or another clinician,
for a surgical or medical opinion asked for by the plan of care or after a red-flag alert
that ended in a referral.

Context builders only. The letter row (reports.models.ReferralLetter, written by
reports.letters) holds who it is to, the urgency and the reason; everything else comes
from the records as they are: the findings of the signed evaluation it is written from,
in its presenters' words (`evaluations.presenters`); the neuro trend from the episode's
first signed neuro exam to this one (`evaluations.neuro.serial.compare_exams` for what is
worse, the myotome grades that rose beside it); the leg pain, back pain and ODI charts
against the minimal important change (`evaluations.charts`, sized as the progress
report's); what was tried, from the plan of care of the episode's initial evaluation.
"""

from __future__ import annotations

import re
from uuid import UUID

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from care.models import EpisodeDiagnosis
from evaluations import neuro, records, services
from evaluations import progress as progress_mod
from evaluations.charts import measure_chart_svg
from evaluations.models import Addendum, Evaluation, TreatmentNote
from evaluations.neuro.serial import compare_exams
from evaluations.presenters import classification as classification_words
from evaluations.presenters import neuro as neuro_words
from evaluations.presenters import neurodynamic as neurodynamic_words
from evaluations.presenters import plan as plan_words
from evaluations.records import NEURO
from intake.models import IntakeAmendment
from intake.services import instrument_packs
from reports.docs.common import change_text, digest, mcid_text, person_name, verdict
from reports.docs.evaluation import licence_notices
from reports.docs.progress import CHART_HEIGHT, CHART_WIDTH
from reports.models import ReferralLetter

TITLE = "Referral letter"
# The measures the letter charts, in this order: pain first, then function.
CHARTED = ("leg_pain", "back_pain", "odi")
SIDES = (("L", "left"), ("R", "right"))
_MRC = re.compile(r"\s*([0-5])(?![0-9])")


# --- Loading and versions ----------------------------------------------------------------------


def load_letter(public_id: UUID) -> ReferralLetter:
    """The letter with everything it prints: three queries without an intake (the letter
    with its contact, alert, episode, evaluation, patient, people and intake; the episode's
    diagnoses with their codes; the evaluation's addenda), four with one (the intake's
    corrections). Raises ReferralLetter.DoesNotExist."""
    return (
        ReferralLetter.objects.select_related(
            "addressed_to",
            "alert",
            "created_by",
            "episode__referrer",
            "evaluation__patient",
            "evaluation__therapist",
            "evaluation__signed_by",
            "evaluation__episode",
            "evaluation__intake__patient",
        )
        .prefetch_related(
            Prefetch(
                "episode__diagnoses", queryset=EpisodeDiagnosis.objects.select_related("code")
            ),
            Prefetch("evaluation__addenda", queryset=Addendum.objects.select_related("by")),
            Prefetch(
                "evaluation__intake__amendments",
                queryset=IntakeAmendment.objects.select_related("by"),
            ),
        )
        .get(public_id=public_id)
    )


def _signed_up_to(evaluation: Evaluation):
    """The episode's signed evaluations up to and including this one, oldest first."""
    return (
        Evaluation.objects.for_progress(evaluation.episode_id)
        .signed()
        .filter(
            Q(visit_date__lt=evaluation.visit_date)
            | Q(visit_date=evaluation.visit_date, created_at__lte=evaluation.created_at)
        )
    )


def letter_version(letter: ReferralLetter) -> str:
    """Changes whenever the letter would: the letter and its contact, the alert it follows,
    the evaluation (signature and addenda), the episode (diagnoses, referrer), the patient,
    the intake's corrections and the signed visits before it (one query)."""
    evaluation = letter.evaluation
    addenda = list(evaluation.addenda.all())
    parts: list[object] = [
        letter.pk,
        letter.urgency,
        letter.reason,
        letter.addressed_to.updated_at.isoformat(),
        evaluation.status,
        evaluation.content_hash or evaluation.updated_at.isoformat(),
        len(addenda),
        addenda[-1].pk if addenda else 0,
        evaluation.patient.updated_at.isoformat(),
        letter.episode.updated_at.isoformat(),
        [d.code.code for d in letter.episode.diagnoses.all()],
    ]
    if letter.alert is not None:
        parts += [letter.alert.outcome, letter.alert.acknowledged_at, letter.alert.action_note]
    if evaluation.intake is not None:
        amendments = list(evaluation.intake.amendments.all())
        parts += [len(amendments), amendments[-1].pk if amendments else 0]
    visits = _signed_up_to(evaluation).aggregate(
        n=Count("pk"), saved=Max("updated_at"), last=Max("signed_at")
    )
    return f"letter-{digest([*parts, *visits.values()])}"


def letter_unavailable(letter: ReferralLetter) -> str:
    if not letter.evaluation.is_signed:
        return "The evaluation this letter is written from is not signed."
    return ""


# --- The letter --------------------------------------------------------------------------------


def _grade(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= 5 else None
    match = _MRC.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _myotomes_better(first: dict, latest: dict, since: str) -> list[str]:
    """The myotome grades that rose from the first exam to this one, in the words
    compare_exams gives the ones that fell ("L5 great toe extension left 3/5 → 4/5 since
    12 Nov 2026"). compare_exams reports only what is worse."""
    out = []
    for movement, info in neuro.MOVEMENTS.items():
        for side, word in SIDES:
            before = _grade(first.get(NEURO.myotome(movement, side)))
            after = _grade(latest.get(NEURO.myotome(movement, side)))
            if before is None or after is None or after <= before:
                continue
            roots = "/".join(str(root) for root in info.roots)
            out.append(f"{roots} {info.label.lower()} {word} {before}/5 → {after}/5 since {since}")
    return out


def _neuro_trend(visits: list[Evaluation], evaluation: Evaluation) -> dict | None:
    """The episode's first signed neuro exam against this evaluation's, or None when this is
    the only one."""
    now = records.read_content(evaluation.content).get("neuro") or {}
    first = next(
        (
            v
            for v in visits
            if v.pk != evaluation.pk and (records.read_content(v.content).get("neuro") or {})
        ),
        None,
    )
    if first is None or not now:
        return None
    before = records.read_content(first.content).get("neuro") or {}
    result = compare_exams(before, now, previous_on=first.visit_date)
    return {
        "since": first,
        "worse": [{"text": c.text, "alert": c.alert} for c in result.changes],
        "better": _myotomes_better(before, now, progress_mod.format_date(first.visit_date)),
        "summary": result.summary,
        "version": f"{result.algorithm_version}, rules {result.rules_version}",
    }


def _charts(data: progress_mod.PatientProgress) -> list[dict]:
    by_code = {m.code: m for m in data.measures}
    charts = []
    for n, code in enumerate(CHARTED):
        m = by_code.get(code)
        if m is None or m.baseline is None or m.latest is None:
            continue
        charts.append(
            {
                "progress": m,
                "svg": measure_chart_svg(m, width=CHART_WIDTH, height=CHART_HEIGHT, id_suffix=n),
                "baseline": progress_mod.format_value(m.baseline.value, m.unit),
                "latest": progress_mod.format_value(m.latest.value, m.unit),
                "verdict": verdict(m),
                "change": change_text(m),
                "mcid": mcid_text(m.mcid),
            }
        )
    return charts


def _tried(letter: ReferralLetter, visits: list[Evaluation]) -> dict:
    """The plan of care of the episode's initial evaluation (else its first signed one),
    since when and over how many visits."""
    started = next((v for v in visits if v.kind == Evaluation.Kind.INITIAL), None)
    started = started or (visits[0] if visits else letter.evaluation)
    on = timezone.localdate(letter.created_at)
    start = letter.episode.start_of_care
    days = max((on - start).days, 0)
    return {
        "from": started,
        "plan": plan_words.document(records.read_content(started.content).get("plan")),
        "start_of_care": start,
        "weeks": days // 7,
        "days": days,
        "visits": len(visits),
        # The visits between evaluations: signed treatment notes up to the letter.
        "notes": TreatmentNote.objects.filter(
            episode_id=letter.episode_id, status=TreatmentNote.Status.SIGNED, visit_date__lte=on
        ).count(),
    }


def _contact(contact) -> dict:
    return {
        "name": contact.name,
        "profession": contact.profession,
        "organisation": contact.organisation,
        "phone": contact.phone,
        "fax": contact.fax,
        "secure_address": contact.secure_address,
    }


def letter_context(letter: ReferralLetter, clinic) -> dict:
    """Everything templates/reports/pdf/referral_letter.html prints. One query beyond
    `load_letter` (the episode's signed visits), two when the ODI is charted (the clinic's
    instrument packs, for its notice)."""
    evaluation = letter.evaluation
    visits = list(_signed_up_to(evaluation))
    if not any(v.pk == evaluation.pk for v in visits):
        visits.append(evaluation)
    content, found = records.read_content(evaluation.content), evaluation.findings or {}
    basis = services.intake_basis(evaluation)
    charts = _charts(progress_mod.from_records(basis.intake, basis.answers, visits))
    odi_shown = any(c["progress"].code == "odi" for c in charts)
    author = letter.created_by
    alert = letter.alert
    return {
        "title": TITLE,
        "patient": evaluation.patient,
        "draft": False,
        "signature": {"by": person_name(author), "at": letter.created_at, "label": "Written"},
        "letter": letter,
        "evaluation": evaluation,
        "written_on": letter.created_at,
        "to": _contact(letter.addressed_to),
        "is_referrer": letter.episode.referrer_id == letter.addressed_to_id,
        "urgency": letter.get_urgency_display(),
        "urgent": letter.urgency != ReferralLetter.Urgency.ROUTINE,
        "alert": {
            "raised_at": alert.raised_at,
            "source": "neuro exam" if alert.evaluation_id else "intake",
            "summary": alert.summary,
            "outcome": alert.get_outcome_display(),
            "acknowledged_at": alert.acknowledged_at,
            "note": alert.action_note,
        }
        if alert is not None
        else None,
        "diagnoses": [
            {"code": d.code.code, "title": d.code.title} for d in letter.episode.diagnoses.all()
        ],
        "classification": classification_words.document(
            content.get("classification"), found.get("classification")
        ),
        "neuro": neuro_words.document(content.get("neuro"), found.get("neuro")),
        "neurodynamic": neurodynamic_words.document(
            content.get("neurodynamic"), found.get("neurodynamic")
        ),
        "trend": _neuro_trend(visits, evaluation),
        "charts": charts,
        "tried": _tried(letter, visits),
        "addenda": [
            {"at": a.at, "by": person_name(a.by), "text": a.text} for a in evaluation.addenda.all()
        ],
        "author": {
            "name": person_name(author),
            "licence_number": author.licence_number,
            "on": letter.created_at,
        },
        "signed_by": person_name(evaluation.signed_by),
        "notices": licence_notices(
            startback=None,
            odi_shown=odi_shown,
            packs=instrument_packs() if odi_shown else None,
        ),
    }
