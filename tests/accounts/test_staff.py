import pytest
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_STAFF = {
    "username": "newpt",
    "first_name": "Nia",
    "last_name": "Pt",
    "email": "nia@example.org",
    "licence_number": "PT-1",
    "roles": [Role.THERAPIST.value],
    "password1": "a-sound-passphrase",
    "password2": "a-sound-passphrase",
}


def test_an_administrator_creates_a_staff_account_with_a_role(stepped_up_admin):
    response = stepped_up_admin.post(reverse("accounts:staff-new"), NEW_STAFF)
    assert response.status_code == 302
    user = User.objects.get(username="newpt")
    assert user.check_password("a-sound-passphrase")
    assert list(user.groups.values_list("name", flat=True)) == [Role.THERAPIST.value]
    assert user.has_perm("evaluations.add_evaluation")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="user").exists()


def test_a_weak_password_is_explained_and_the_form_keeps_its_values(stepped_up_admin):
    response = stepped_up_admin.post(
        reverse("accounts:staff-new"),
        {**NEW_STAFF, "password1": "password", "password2": "password"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "too common" in content or "too short" in content
    assert 'value="Nia"' in content
    assert not User.objects.filter(username="newpt").exists()


def test_a_taken_username_is_explained(stepped_up_admin, therapist):
    response = stepped_up_admin.post(
        reverse("accounts:staff-new"), {**NEW_STAFF, "username": "therapist"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_an_administrator_changes_roles_and_deactivates_an_account(stepped_up_admin, therapist):
    url = reverse("accounts:staff-edit", args=[therapist.public_id])
    response = stepped_up_admin.post(
        url,
        {
            "first_name": "T",
            "last_name": "R",
            "email": "",
            "licence_number": "",
            "roles": [Role.FRONT_DESK.value],
        },
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert not therapist.is_active
    assert list(therapist.groups.values_list("name", flat=True)) == [Role.FRONT_DESK.value]
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="user")
    assert "roles" in event.details["fields"] and "is_active" in event.details["fields"]


def test_an_administrator_cannot_change_their_own_roles_or_deactivate_themselves(
    stepped_up_admin, administrator
):
    url = reverse("accounts:staff-edit", args=[administrator.public_id])
    page = stepped_up_admin.get(url).content.decode()
    assert "Another administrator changes your roles" in page
    base = {"first_name": "A", "last_name": "D", "email": "", "licence_number": ""}
    # The roles and active boxes are disabled for oneself: what is posted is ignored.
    response = stepped_up_admin.post(url, {**base, "roles": [Role.THERAPIST.value]})
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_active
    assert list(administrator.groups.values_list("name", flat=True)) == [Role.ADMINISTRATOR.value]


def test_the_service_refuses_a_change_to_ones_own_roles(administrator):
    from accounts.services import ProtectedAccount, staff_update

    with pytest.raises(ProtectedAccount):
        staff_update(
            by=administrator,
            user=administrator,
            data={"is_active": True},
            roles=[Role.ADMINISTRATOR, Role.THERAPIST],
        )
    assert not administrator.groups.filter(name=Role.THERAPIST.value).exists()


def test_an_administrator_sets_a_new_password(stepped_up_admin, therapist):
    url = reverse("accounts:staff-password", args=[therapist.public_id])
    response = stepped_up_admin.post(
        url, {"password1": "another-good-pass", "password2": "another-good-pass"}
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password("another-good-pass")


def test_the_staff_list_keeps_a_fixed_number_of_queries(admin_client_, django_assert_num_queries):
    UserFactory(roles=[Role.THERAPIST])
    admin_client_.get(reverse("accounts:staff-list"))
    # 10: one of them loads the session's verified two-factor device (django-otp).
    with django_assert_num_queries(10) as few:
        admin_client_.get(reverse("accounts:staff-list"))
    UserFactory.create_batch(10, roles=[Role.FRONT_DESK])
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client_.get(reverse("accounts:staff-list"))


def test_a_deactivated_account_cannot_sign_in(client, therapist):
    from tests.factories import TEST_PASSWORD

    therapist.is_active = False
    therapist.save()
    response = client.post(
        reverse("accounts:login"), {"username": "therapist", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_administrator_sets_a_kiosk_pin_stored_hashed(stepped_up_admin, front_desk):
    url = reverse("accounts:staff-edit", args=[front_desk.public_id])
    base = {"first_name": "F", "last_name": "D", "email": "", "licence_number": ""}
    base |= {"roles": [Role.FRONT_DESK.value], "is_active": "on"}
    response = stepped_up_admin.post(url, {**base, "kiosk_pin": "12ab"})
    assert "Use 4 to 8 digits." in response.content.decode()
    response = stepped_up_admin.post(url, {**base, "kiosk_pin": "482916"})
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.kiosk_pin and "482916" not in front_desk.kiosk_pin
    assert front_desk.check_kiosk_pin("482916") and not front_desk.check_kiosk_pin("000000")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="user").last()
    assert "kiosk_pin" in event.details["fields"]
    assert "482916" not in str(event.details)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("739105826473", "This password is entirely numeric."),
    ],
)
def test_an_administrator_cannot_set_a_weak_password(
    stepped_up_admin, therapist, password, message
):
    url = reverse("accounts:staff-password", args=[therapist.public_id])
    response = stepped_up_admin.post(url, {"password1": password, "password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.check_password(TEST_PASSWORD) and not therapist.check_password(password)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()
