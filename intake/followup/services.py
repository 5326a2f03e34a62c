"""The writes of a follow-up packet's own that intake.services hands over to: its submit
(its own screens, scores and triage) and the triage stored when it stops. Each is called
inside intake.services' transaction, on a row it has locked."""

from collections.abc import Collection, Mapping
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_patient_record
from intake import alerts, questionnaires
from intake.followup import results
from intake.followup import steps as packet_steps
from intake.followup.baseline import Baseline, for_packet
from intake.models import Intake
from intake.signals import packet_submitted


def missing_screens(packet: Intake, *, packs: Collection[str], baseline: Baseline) -> list[str]:
    """The packet's screens not yet answered, in order."""
    steps = packet_steps.packet_steps(packs=packs, has_psfs=bool(baseline.psfs_activities))
    return [s.key for s in steps if s.key != "review" and s.key not in packet.answers]


def stop_triage(packet: Intake, answers: Mapping[str, Mapping]) -> results.PacketTriage:
    """The triage a packet stopped for a cauda equina answer keeps: its answers so far
    with the first visit's history (read only now: the check itself needs neither)."""
    return results.run_triage(
        answers,
        baseline=for_packet(packet).answers,
        date_of_birth=packet.patient.date_of_birth,
        sex=packet.patient.sex,
        on=timezone.localdate(),
    )


def packet_submit(
    packet: Intake, *, submission_id: UUID, packs: Collection[str], baseline: Baseline, by: str
) -> Intake:
    """Send a fully answered packet: scores and triage stored, the alert its level asks
    for raised, audited under `by` (the patient's actor name)."""
    now = timezone.now()
    found = results.compute(
        packet.answers,
        baseline=baseline.answers,
        date_of_birth=packet.patient.date_of_birth,
        sex=packet.patient.sex,
        on=timezone.localdate(),
        licensed=questionnaires.licensed(packs),
        # A packet in another language leaves out what has no pack in it (intake.packs).
        unavailable=questionnaires.without_pack(packs) if packet.language != "en" else (),
        language=packet.language,
    )
    packet.status = Intake.Status.SUBMITTED
    packet.submitted_at = now
    packet.submission_id = submission_id
    packet.triage = {
        **found.triage,
        "baseline_intake": str(baseline.intake.public_id) if baseline.intake else None,
    }
    packet.red_flag_level = found.red_flag_level
    packet.scores = found.scores
    packet.current_step = "review"
    packet.save()
    alerts.raise_for_triage(
        packet,
        level=found.red_flag_level,
        ces=found.ces,
        items=list(found.triage["items"]),
        at=now,
    )
    audit_patient_record(
        packet,
        actor=None,
        actor_name=by,
        action=AuditEvent.Action.SUBMIT,
        summary=f"Submitted the follow-up questionnaire (red flags: {found.red_flag_level})",
        details={
            "ruleset": found.triage["ruleset_version"],
            "combination": found.triage["combination_version"],
            "algorithm": found.algorithm_version,
        },
    )
    # After commit: a fault in what listens cannot undo the patient's answers.
    transaction.on_commit(lambda: packet_submitted.send(sender=Intake, packet=packet))
    return packet
