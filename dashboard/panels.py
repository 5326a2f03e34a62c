"""The administrator's panels drawn from the ground floor: staff on the roll and the
latest audit events.

The ground floor (accounts, audit) knows nothing of the home page, so the top app reads
them here; the apps above offer their own panels (intake/panels.py,
evaluations/panels.py, reports/panels.py). A panel is a function giving the template
context of its section of templates/dashboard/home.html.
"""

from django.db.models import Count, Q

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent

RECENT_EVENTS = 10


def staff_on_roll() -> dict:
    """How many active accounts hold each role, in one query."""
    role_counts = User.objects.filter(is_active=True).aggregate(
        **{
            role.name.lower(): Count("id", filter=Q(groups__name=role.value), distinct=True)
            for role in Role
        }
    )
    return {"role_counts": [(role, role_counts[role.name.lower()]) for role in Role]}


def recent_activity() -> dict:
    return {"recent_events": list(AuditEvent.objects.with_related()[:RECENT_EVENTS])}
