"""`assess_neuro`: one lumbar neurological exam in, one `NeuroResult` out. Runs the level
finding and the alerts, and words the one-paragraph summary clinicians read first.
"""

from evaluations.neuro.alerts import _umn, _weakness_alerts
from evaluations.neuro.exam import NeuroExam
from evaluations.neuro.level import _dermatomes, _myotomes, _reflexes, _Scores, _suggest
from evaluations.neuro.results import (
    Asymmetry,
    Findings,
    LevelSuggestion,
    NeuroAlert,
    NeuroResult,
)
from evaluations.neuro.rules import PAIN_WEIGHT
from evaluations.neuro.vocabulary import AlertLevel, _side_text


def _summary(
    exam: NeuroExam,
    suggestions: list[LevelSuggestion],
    conduction_loss: bool | None,
    asymmetries: list[Asymmetry],
    alerts: list[NeuroAlert],
) -> str:
    parts = []
    if alerts:
        codes = sorted({a.code for a in alerts})
        parts.append(f"ALERT ({', '.join(codes)}): {alerts[0].text}")
    for s in suggestions:
        parts.append(
            f"Suggested level on the {_side_text(s.side)}: {' or '.join(s.roots)}. "
            f"{s.confidence_text}"
        )
    if not suggestions:
        if conduction_loss:
            parts.append(
                "Objective deficits found, but too few or too scattered to suggest a level."
            )
        elif conduction_loss is False:
            parts.append("No objective neurological deficit found.")
        elif not exam.umn:
            parts.append("No neurological tests recorded.")
    if asymmetries:
        n = len(asymmetries)
        parts.append(f"{n} side-to-side difference{'s' if n != 1 else ''}.")
    if not alerts and exam.umn:
        parts.append("No upper motor neuron signs.")
    parts.append("A suggestion, never a diagnosis.")
    return " ".join(parts)


def assess_neuro(exam: NeuroExam) -> NeuroResult:
    """Derive asymmetries, a suggested level per side (§6.5) and UMN/progressive-weakness
    alerts (§6.4, §2.7) from one lumbar neurological exam."""
    if not isinstance(exam, NeuroExam):
        raise ValueError(f"assess_neuro needs a NeuroExam; got {type(exam).__name__}.")
    scores = _Scores()
    out: Findings = {
        "asymmetries": [],
        "symmetric": [],
        "positive": [],
        "deficits": [],
        "alerts": [],
        "recheck": [],
    }
    _myotomes(exam, scores, out)
    _dermatomes(exam, scores, out)
    _reflexes(exam, scores, out)
    for area in exam.pain_areas:
        scores.add(
            area.side,
            area.root,
            "pain",
            PAIN_WEIGHT,
            f"Pain in the {area.root} dermatome on the {_side_text(area.side)}",
        )
    _umn(exam, out)
    _weakness_alerts(exam, out)

    root_scores = scores.root_scores()
    suggestions = _suggest(root_scores)
    deficits = out["deficits"]
    conduction_loss = any(d.conduction_loss for d in deficits) if exam.recorded else None
    alerts = sorted(out["alerts"], key=lambda a: a.level is not AlertLevel.EMERGENCY)
    return NeuroResult(
        suggested_levels=tuple(suggestions),
        root_scores=tuple(root_scores),
        deficits=tuple(deficits),
        conduction_loss=conduction_loss,
        sensory_tested=bool(exam.dermatomes),
        asymmetries=tuple(out["asymmetries"]),
        symmetric_findings=tuple(out["symmetric"]),
        positive_sensory_signs=tuple(out["positive"]),
        alerts=tuple(alerts),
        raises_alert=bool(alerts),
        alert_items=tuple(dict.fromkeys(a.code for a in alerts)),
        to_recheck=tuple(out["recheck"]),
        summary=_summary(exam, suggestions, conduction_loss, out["asymmetries"], alerts),
    )
