import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_administrators_filter_the_trail_by_action(admin_client_, patient, front_desk):
    audit_record(actor=front_desk, action=AuditEvent.Action.VIEW, patient=patient, summary="Viewed")
    audit_record(
        actor=front_desk, action=AuditEvent.Action.UPDATE, patient=patient, summary="Changed"
    )
    response = admin_client_.get(reverse("audit:list"), {"action": "update"})
    events = list(response.context["page"].object_list)
    assert [e.summary for e in events] == ["Changed"]


def test_an_mrn_filter_is_posted_and_replaced_by_the_patients_uuid(admin_client_, patient):
    response = admin_client_.post(reverse("audit:list"), {"mrn": patient.mrn})
    assert response.status_code == 302
    assert patient.mrn not in response.url
    assert str(patient.public_id) in response.url
    page = admin_client_.get(response.url).context["page"]
    assert page.object_list and all(e.patient_id == patient.pk for e in page.object_list)


def test_an_unknown_mrn_says_so(admin_client_):
    response = admin_client_.post(reverse("audit:list"), {"mrn": "00000000"}, follow=True)
    assert "No patient has that MRN." in response.content.decode()


def test_a_reversed_date_range_is_explained_not_an_error(admin_client_):
    response = admin_client_.get(
        reverse("audit:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_reading_the_trail_is_itself_audited(admin_client_):
    admin_client_.get(reverse("audit:list"))
    assert AuditEvent.objects.filter(summary="Viewed the audit trail").exists()


def test_the_trail_keeps_a_fixed_number_of_queries(
    admin_client_, patient, front_desk, django_assert_num_queries
):
    audit_record(actor=front_desk, action=AuditEvent.Action.VIEW, patient=patient)
    admin_client_.get(reverse("audit:list"))
    with django_assert_num_queries(11) as few:  # +1: the two-factor check
        admin_client_.get(reverse("audit:list"))
    for _ in range(20):
        audit_record(actor=front_desk, action=AuditEvent.Action.VIEW, patient=patient)
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client_.get(reverse("audit:list"))


def test_sign_in_and_failed_sign_in_are_audited(client, front_desk):
    from tests.factories import TEST_PASSWORD

    client.post(reverse("accounts:login"), {"username": "frontdesk", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "frontdesk", "password": TEST_PASSWORD})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=front_desk).count() == 1


def test_a_refused_page_is_audited(therapist_client):
    therapist_client.get(reverse("audit:list"))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).exists()


def test_the_audit_page_says_whether_the_trail_is_tamper_protected(admin_client_):
    from django.db import connection
    from django.urls import reverse

    page = admin_client_.get(reverse("audit:list")).content.decode()
    if connection.vendor == "postgresql":
        assert "not tamper-protected" not in page
    else:
        assert "the audit trail is <strong>not tamper-protected</strong>" in page
