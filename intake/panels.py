"""The intake app's panel on the home page: the front desk's intakes for today.

A panel is a function giving the template context of its section of the home page
(templates/dashboard/home.html); dashboard/views.py decides who sees which. Each fetches
its records in full, so the page makes the same number of queries however long the lists.
"""

from datetime import date

from intake.models import Intake


def todays_intakes(*, today: date) -> dict:
    """Every intake started on `today`, whoever started it: the front desk's day."""
    intakes = Intake.objects.first_visit().started_on(today).select_related("patient", "started_by")
    return {"todays_intakes": list(intakes)}
