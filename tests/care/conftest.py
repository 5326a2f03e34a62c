from datetime import timedelta

import pytest
from django.utils import timezone

from care import services
from care.models import Episode, ReferralContact


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def contact(front_desk) -> ReferralContact:
    return services.referral_contact_save(
        by=front_desk,
        data={
            "name": "Dr Priya Shah",
            "profession": "GP",
            "organisation": "Riverside Practice",
            "phone": "+44 20 7946 0000",
            "fax": "+44 20 7946 0001",
            "secure_address": "p.shah@riverside.nhs.example",
        },
    )


@pytest.fixture
def episode(patient, front_desk) -> Episode:
    """The patient's open episode, started ten days ago, on direct access."""
    return services.episode_open(
        by=front_desk,
        patient=patient,
        data={"start_of_care": days_ago(10), "referral": Episode.Referral.DIRECT},
    )
