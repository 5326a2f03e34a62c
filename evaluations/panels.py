"""The evaluations app's panel on the home page: a therapist's work.

A panel is a function giving the template context of its section of the home page
(templates/dashboard/home.html); dashboard/views.py decides who sees which.
"""

from accounts.models import User
from evaluations.models import Evaluation, TreatmentNote
from intake.models import Intake

# The home page is a worklist, not an archive: the full lists are the intake queue and
# the patient's page.
LIST_LIMIT = 50


def therapist_work(*, therapist: User) -> dict:
    """Submitted intakes nobody has evaluated yet, oldest first, and `therapist`'s own
    draft evaluations and unsigned treatment notes, newest first (a query each)."""
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
    }
