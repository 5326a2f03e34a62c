"""Every page that shows a patient's data leaves an audit entry naming that patient.

The pages come from the access table (tests/test_access_matrix.py), which is generated
against the URLconf, so a new page that shows patient data without auditing the read
fails here. A page "shows patient data" when the table's patient's name or MRN is in it.
"""

import pytest

from accounts.roles import Role
from audit.models import AuditEvent
from tests.factories import UserFactory
from tests.test_access_matrix import MATRIX, OK, ROLES, _url_for, records, users  # noqa: F401

pytestmark = pytest.mark.django_db

STAFF_ROLES = ("front_desk", "therapist", "administrator")
# Pages any of these roles should see the table's patient on; if the detection below
# found none of them the test would pass vacuously.
MUST_SHOW = {"patients:detail", "intake:detail"}


def _mentions(entry: AuditEvent, patient) -> bool:
    return entry.patient_id == patient.pk or patient.mrn in str(entry.details)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_showing_a_patient_audits_the_read(client, users, records, role):  # noqa: F811
    patient = records["patient"]
    # Names no page would contain by chance.
    patient.given_name, patient.family_name = "Zebulon", "Quillfeather"
    patient.save()
    markers = (patient.family_name, patient.mrn)
    user = users[role]
    client.force_login(user)
    staff_member = UserFactory(username="audit-target", roles=[Role.THERAPIST])
    showing, unaudited = set(), []
    for name, row in MATRIX.items():
        if row[ROLES.index(role)] != OK:
            continue
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(_url_for(name, staff_member, records))
        assert response.status_code == 200, name
        body = response.content.decode(errors="replace")
        if not any(marker in body for marker in markers):
            continue
        showing.add(name)
        written = AuditEvent.objects.filter(pk__gt=last, actor=user)
        if not any(_mentions(entry, patient) for entry in written):
            unaudited.append(name)
    assert unaudited == [], f"these pages show a patient without an audit entry: {unaudited}"
    assert showing, "no page showed the patient: the detection is broken"
    if role != "front_desk":
        assert showing >= MUST_SHOW


def test_the_audit_log_offers_no_change_or_delete_in_the_admin(rf):
    from django.contrib import admin

    from accounts.models import User

    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_alert_banner_audits_each_alert_once_per_session_not_every_poll(
    therapist_client,
    therapist,
    records,  # noqa: F811
):
    from django.urls import reverse

    banner = reverse("intake:alerts-banner")
    poll = {"X-Background-Poll": "1", "HX-Request": "true"}
    shown = AuditEvent.objects.filter(actor=therapist, summary__contains="red-flag alert")
    for _ in range(3):
        assert records["patient"].mrn in therapist_client.get(banner, headers=poll).content.decode()
    assert shown.count() == 1
    assert shown.get().details["shown"] == [records["patient"].mrn]
