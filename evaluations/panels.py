"""The evaluations app's panel on the home page: a therapist's work.

A panel is a function giving the template context of its section of the home page
(templates/dashboard/home.html); dashboard/views.py decides who sees which.
"""

from accounts.models import User
from care.models import Episode
from evaluations.models import Evaluation, TreatmentNote
from intake.models import Intake, RedFlagAlert

# The home page is a worklist, not an archive: the full lists are the intake queue and
# the patient's page.
LIST_LIMIT = 50


def therapist_work(*, therapist: User) -> dict:
    """Submitted intakes nobody has evaluated yet, oldest first, `therapist`'s own draft
    evaluations and unsigned treatment notes, newest first, and the MONITOR results to
    review at the next visit (a query each)."""
    awaiting = (
        Intake.objects.awaiting_evaluation()
        .select_related("patient")
        .order_by("submitted_at")[:LIST_LIMIT]
    )
    drafts = (
        Evaluation.objects.drafts()
        .by_therapist(therapist)
        .select_related("patient")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    unsigned_notes = (
        TreatmentNote.objects.drafts()
        .by_therapist(therapist)
        .select_related("patient")
        .defer("content", "drafts")
        .order_by("-visit_date", "-created_at")[:LIST_LIMIT]
    )
    return {
        "awaiting_evaluation": list(awaiting),
        "my_drafts": list(drafts),
        "my_notes": list(unsigned_notes),
        "for_review": for_review(),
    }


def for_review() -> list[RedFlagAlert]:
    """MONITOR results (a single low-specificity red flag, from an intake or a follow-up
    questionnaire) still waiting for review and safety-net advice at the patient's next
    visit, oldest first; only those whose course of care is still open, as the next visit
    is where they are reviewed. One query."""
    return list(
        RedFlagAlert.objects.for_review()
        .filter(intake__episode__status=Episode.Status.OPEN)
        .select_related("patient", "intake")
        .order_by("raised_at")[:LIST_LIMIT]
    )
