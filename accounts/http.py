"""The request a signed-in member of staff makes, for views' annotations."""

from accounts.models import User
from core.http import ClinicRequest


class StaffRequest(ClinicRequest):
    """A request that passed the sign-in (a view behind login_required, a permission or
    the two-factor middleware): its user is a member of staff, never the anonymous user.
    Django passes a plain HttpRequest; this class only tells the type checker so."""

    user: User
