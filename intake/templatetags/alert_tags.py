"""The "for review at this visit" box of the evaluation and treatment-note pages: the
patient's MONITOR results (from the intake or a follow-up questionnaire) still waiting
for the safety-net advice. The page's own view audits the visit to the patient's record;
this reads one more list of theirs, in one query."""

from collections.abc import Iterable
from typing import Any

from django import template

from intake.models import RedFlagAlert

register = template.Library()


@register.inclusion_tag("intake/_alerts_for_review.html", takes_context=True)
def alerts_for_review(context: Any, patient: Any, shown: Iterable[RedFlagAlert] = ()) -> dict:
    """Open MONITOR results of `patient`, oldest first, leaving out those the page lists
    already (`shown`)."""
    user = context["request"].user
    if patient is None or not user.has_perm("intake.view_intake_clinical"):
        return {"review": []}
    skip = [a.pk for a in shown or ()]
    review = (
        RedFlagAlert.objects.for_review()
        .filter(patient=patient)
        .exclude(pk__in=skip)
        .select_related("intake")
        .order_by("raised_at")
    )
    return {"review": list(review), "can_ack": user.has_perm("intake.acknowledge_redflagalert")}
