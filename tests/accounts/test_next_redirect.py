"""Where the two-factor pages send someone afterwards (`next`): only a path of ours.

Found by tests/fuzz: `?next=0` on the verify page of a signed-in member of staff was taken
for a view name and answered 500.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


@pytest.mark.parametrize(
    "next_url", ["0", "patients", "https://evil.example/", "//evil.example/x", "javascript:x"]
)
def test_a_next_that_is_not_one_of_our_paths_goes_home(admin_client_, next_url):
    response = admin_client_.get(reverse("accounts:mfa-verify"), {"next": next_url})
    assert response.status_code == 302
    assert response.url == HOME


def test_a_next_that_is_one_of_our_paths_is_followed(admin_client_):
    patients = reverse("patients:list")
    response = admin_client_.get(reverse("accounts:mfa-verify"), {"next": patients})
    assert response.url == patients
