"""What a follow-up packet reads of its episode's first-visit intake: the patient's PSFS
activities (rated again) and the health history its red-flag triage combines with.

The baseline is the episode's first submitted first-visit intake, as the progress charts
read it (evaluations.views.progress), so the packet's PSFS ids are the ones charted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Subquery

from intake.models import Intake, IntakeAmendment


@dataclass(frozen=True)
class Baseline:
    intake: Intake | None = None
    # The first visit's answers with staff amendments applied.
    answers: Mapping[str, Any] = field(default_factory=dict)

    @property
    def psfs_activities(self) -> Sequence[Mapping[str, Any]]:
        """[{"id", "name"}, ...]: the activities named at the first visit."""
        activities = (self.answers.get("psfs") or {}).get("activities") or []
        return tuple({"id": a["id"], "name": a["name"]} for a in activities if a.get("name"))


def apply_amendments(answers: Mapping[str, Any], amendments) -> dict[str, Any]:
    """The submitted answers with amendments applied in order, as
    intake.services.effective_answers does (that module reads the baseline through this
    one, so this one cannot import it; tests hold the two to the same result)."""
    applied = dict(answers)
    for amendment in amendments:
        applied[amendment.step] = amendment.after
    return applied


def for_packet(packet: Intake | int) -> Baseline:
    """The baseline of the packet's episode, or an empty one when the episode has no
    submitted first-visit intake (an episode opened without one). Two queries. The packet
    or its id: a screen's autosave has only the id, and need not load the packet for it."""
    if isinstance(packet, Intake):
        episode: Any = packet.episode_id
    else:
        episode = Subquery(Intake.objects.filter(pk=packet).values("episode_id")[:1])
    intake = (
        Intake.objects.first_visit()
        .filter(episode_id=episode, status=Intake.Status.SUBMITTED)
        .prefetch_related(
            Prefetch("amendments", queryset=IntakeAmendment.objects.order_by("at", "pk"))
        )
        .order_by("submitted_at", "id")
        .first()
    )
    if intake is None:
        return Baseline()
    return Baseline(
        intake=intake, answers=apply_amendments(intake.answers, intake.amendments.all())
    )
