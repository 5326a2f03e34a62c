"""The staff list's search box takes whatever is typed.

Found while fuzzing (tests/fuzz): `?q=%00` answered 500 on PostgreSQL, which cannot compare
text with NUL in it.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_search_with_a_nul_in_it_searches_for_the_rest(admin_client_, administrator):
    # The signed-in administrator's made-up name must not match too (Faker's last names
    # include Smith).
    administrator.first_name, administrator.last_name = "Ada", "Okafor"
    administrator.save(update_fields=["first_name", "last_name"])
    UserFactory(username="jsmith", last_name="Smith", roles=[Role.THERAPIST])
    response = admin_client_.get(reverse("accounts:staff-list"), {"q": "Smi\x00th"})
    assert response.status_code == 200
    assert [m.username for m in response.context["page"].object_list] == ["jsmith"]
