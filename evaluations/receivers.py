"""What evaluations does when the apps below it announce something."""

import logging
from typing import Any

from django.dispatch import receiver

from evaluations import services
from intake.models import Intake
from intake.signals import packet_submitted

logger = logging.getLogger(__name__)


@receiver(packet_submitted, dispatch_uid="evaluations-prefill-waiting-drafts")
def _fill_waiting_drafts(sender: type[Intake], *, packet: Intake, **kwargs: Any) -> None:
    # The patient's submission has committed: a fault here must not reach their screen, and
    # the therapist can still type the outcomes, so it is logged rather than raised.
    try:
        services.evaluations_prefill_from(packet=packet)
    except Exception:
        logger.exception("Could not pre-fill waiting drafts from packet %s", packet.public_id)
