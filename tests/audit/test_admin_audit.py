"""The Django admin (/django-admin/) is inside the audit trail, like the app's own pages.

Every model registered with the admin, including third-party ones (two-factor devices,
sign-in lockout, groups), is walked: its list, one record's change page and its history
each leave exactly one VIEW entry, naming the patients shown where the model bears one.
Changes made through the admin leave their entry too, and the authenticator secret is
never shown or editable there.
"""

from base64 import b32encode

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from patients.models import Patient
from tests.factories import TEST_PASSWORD, UserFactory, recovery_codes
from tests.test_access_matrix import records  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# How each patient-bearing model reaches its patient (an ORM path; "" is the patient
# itself). A registered model relating to patients that is missing here fails below.
PATIENT_PATHS = {
    "patients.patient": "",
    "intake.intake": "patient",
    "intake.redflagalert": "patient",
    "evaluations.evaluation": "patient",
    "evaluations.addendum": "evaluation__patient",
    "evaluations.treatmentnote": "patient",
    "evaluations.noteaddendum": "note__patient",
    "reports.reportjob": "patient",
    "audit.auditevent": "patient",
}
# Typed into a failed sign-in's form: the lockout admin must not show it back.
TYPED_AT_A_FAILED_SIGN_IN = "typed-at-a-failed-sign-in"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, roles=[])


@pytest.fixture
def admin_site_client(client, superuser):
    """A superuser past the second factor (force_login passes it, tests/conftest.py)."""
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(records, superuser):  # noqa: F811
    """At least one row of every model the admin lists."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from core.models import Clinic, WorkerHeartbeat
    from evaluations.models import Addendum, NoteAddendum

    evaluation = records["evaluation"]
    Addendum.objects.create(
        evaluation=evaluation,
        reason="Typo",
        text="Corrected.",
        by=evaluation.therapist,
        content_hash="0" * 64,
    )
    NoteAddendum.objects.create(
        note=records["note"],
        reason="Late entry",
        text="Phoned.",
        by=evaluation.therapist,
        content_hash="0" * 64,
    )
    recovery_codes(superuser)
    attempt = {"username": "someone", "ip_address": "10.0.0.7", "user_agent": "Tablet"}
    AccessAttempt.objects.create(
        **attempt,
        get_data="",
        post_data=f"username=someone&note={TYPED_AT_A_FAILED_SIGN_IN}",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=1,
    )
    AccessLog.objects.create(**attempt, http_accept="*/*", path_info="/accounts/login/")
    AccessFailureLog.objects.create(**attempt, http_accept="*/*", path_info="/accounts/login/")
    WorkerHeartbeat.objects.create(hostname="worker-1")
    Clinic.objects.current()
    audit_record(
        actor=superuser,
        action=AuditEvent.Action.VIEW,
        patient=records["patient"],
        obj=records["patient"],
        summary="Seeded",
    )
    return records


def _label(model) -> str:
    return model._meta.label_lower


def _relates_to_patients(model) -> bool:
    """A foreign key to Patient, directly or through one other model."""

    def keys(m):
        return [f for f in m._meta.concrete_fields if isinstance(f, models.ForeignKey)]

    if model is Patient:
        return True
    for field in keys(model):
        if field.related_model is Patient:
            return True
        if field.related_model is not model and any(
            inner.related_model is Patient for inner in keys(field.related_model)
        ):
            return True
    return False


def _record_of(model):
    """A row to open: for patient-bearing models, one that has a patient."""
    rows = model._default_manager.all()
    path = PATIENT_PATHS.get(_label(model))
    if path:
        rows = rows.filter(**{f"{path}__isnull": False})
    return rows.order_by("pk").first()


def _mrn_of(model, obj) -> str:
    path = PATIENT_PATHS[_label(model)]
    return model._default_manager.filter(pk=obj.pk).values_list(
        f"{path}__mrn" if path else "mrn", flat=True
    )[0]


def _admin_url(model, view: str, obj=None) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def _entries_after(last: int):
    return list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))


def _last_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_patient_bearing_model_in_the_admin_has_a_declared_patient_path():
    bearing = {_label(m) for m in admin.site._registry if _relates_to_patients(m)}
    assert bearing - PATIENT_PATHS.keys() == set(), "add these models to PATIENT_PATHS"


def test_the_clinical_records_and_sign_in_security_models_are_all_in_the_admin():
    registered = {_label(m) for m in admin.site._registry}
    assert registered >= {
        *PATIENT_PATHS,
        "accounts.user",
        "auth.group",
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "axes.accessattempt",
        "core.clinic",
    }


def test_whatever_registers_with_the_admin_is_audited():
    from django.contrib.sessions.models import Session  # not registered with the admin

    from core.admin import AuditedAdmin, ClinicAdminSite

    assert isinstance(admin.site, ClinicAdminSite)
    assert all(isinstance(a, AuditedAdmin) for a in admin.site._registry.values())
    # A third-party admin registered later is audited as well.
    site = ClinicAdminSite(name="later")
    site.register(Session, type("ThirdPartyAdmin", (admin.ModelAdmin,), {}))
    assert isinstance(site._registry[Session], AuditedAdmin)


def test_every_admin_list_change_and_history_page_leaves_exactly_one_view_entry(
    admin_site_client, superuser, one_of_each
):
    problems = []
    for model in admin.site._registry:
        label = _label(model)
        obj = _record_of(model)
        assert obj is not None, f"make a {label} in the one_of_each fixture"
        for view, args in (("changelist", None), ("change", obj), ("history", obj)):
            last = _last_pk()
            response = admin_site_client.get(_admin_url(model, view, args))
            if response.status_code != 200:
                problems.append(f"{label} {view}: status {response.status_code}")
                continue
            written = _entries_after(last)
            if [e.action for e in written] != [AuditEvent.Action.VIEW]:
                problems.append(f"{label} {view}: wrote {[e.action for e in written]}")
                continue
            entry = written[0]
            if entry.actor_id != superuser.pk or "Django admin" not in entry.summary:
                problems.append(f"{label} {view}: {entry.actor_id} {entry.summary!r}")
            if label not in PATIENT_PATHS:
                continue
            mrn = _mrn_of(model, obj)
            if view == "changelist" and mrn not in entry.details.get("shown", []):
                problems.append(f"{label} list: shown {entry.details.get('shown')}, not {mrn}")
            if view != "changelist" and (entry.patient is None or entry.patient.mrn != mrn):
                problems.append(f"{label} {view}: patient {entry.patient}, not {mrn}")
    assert problems == []


def test_the_clinical_records_are_read_only_in_the_admin(rf):
    from accounts.models import User

    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    for label in PATIENT_PATHS:
        model_admin = next(a for m, a in admin.site._registry.items() if _label(m) == label)
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


def test_changes_made_in_the_admin_are_audited_with_the_fields_and_never_their_values(
    admin_site_client, superuser
):
    from django.contrib.auth.models import Group

    last = _last_pk()
    response = admin_site_client.post(_admin_url(Group, "add"), {"name": "Night shift"})
    assert response.status_code == 302
    group = Group.objects.get(name="Night shift")
    [created] = _entries_after(last)
    assert created.action == AuditEvent.Action.CREATE
    assert created.object_id == str(group.pk) and "Django admin" in created.summary

    last = _last_pk()
    response = admin_site_client.post(_admin_url(Group, "change", group), {"name": "Late shift"})
    assert response.status_code == 302
    [changed] = _entries_after(last)
    assert changed.action == AuditEvent.Action.UPDATE
    assert changed.details["fields"] == ["Name"]
    assert "Late shift" not in str(changed.details) + changed.summary

    # A bulk action: its confirmation page shows the rows, then the deletion.
    changelist = _admin_url(Group, "changelist")
    chosen = {"action": "delete_selected", "_selected_action": [group.pk], "index": 0}
    last = _last_pk()
    assert admin_site_client.post(changelist, chosen).status_code == 200
    assert [e.action for e in _entries_after(last)] == [AuditEvent.Action.VIEW]
    last = _last_pk()
    assert admin_site_client.post(changelist, {**chosen, "post": "yes"}).status_code == 302
    [deleted] = _entries_after(last)
    assert deleted.action == AuditEvent.Action.DELETE
    assert deleted.object_id == str(group.pk)
    assert not Group.objects.filter(pk=group.pk).exists()


def test_a_password_set_in_the_admin_is_audited_without_the_password(admin_site_client, superuser):
    staff = UserFactory(username="nightnurse", roles=[])
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    last = _last_pk()
    page = admin_site_client.get(url)
    assert page.status_code == 200
    [viewed] = _entries_after(last)
    assert viewed.action == AuditEvent.Action.VIEW and viewed.object_id == str(staff.public_id)

    new_password = "a-brand-new-long-passphrase-42"
    last = _last_pk()
    response = admin_site_client.post(
        url, {"password1": new_password, "password2": new_password, "usable_password": "true"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(new_password) and not staff.check_password(TEST_PASSWORD)
    [changed] = _entries_after(last)
    assert changed.action == AuditEvent.Action.PASSWORD
    assert changed.object_id == str(staff.public_id) and "Django admin" in changed.summary
    assert new_password not in str(changed.details) + changed.summary


def _every_admin_page(client, objects) -> dict[str, str]:
    """The HTML of the admin's index, and every model's list, add, change, history and
    delete pages (following redirects), keyed by URL."""
    pages = {}
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        obj = objects.get(model) or _record_of(model)
        urls.append(_admin_url(model, "changelist"))
        urls.append(_admin_url(model, "add"))
        for view in ("change", "history", "delete"):
            urls.append(_admin_url(model, view, obj))
    for url in urls:
        response = client.get(url, follow=True)
        pages[url] = response.content.decode(errors="replace")
    return pages


def test_the_authenticator_secret_is_never_shown_in_the_admin(
    admin_site_client, superuser, one_of_each
):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.mfa import secret_text

    device = TOTPDevice.objects.get(user=superuser)
    secrets = {
        device.key,
        device.key.upper(),
        b32encode(device.bin_key).decode().rstrip("="),
        secret_text(device),
        *StaticToken.objects.filter(device__user=superuser).values_list("token", flat=True),
        TYPED_AT_A_FAILED_SIGN_IN,
    }
    pages = _every_admin_page(admin_site_client, {TOTPDevice: device})
    # django-otp's own admin served the key and a QR code of it on these.
    for view in ("config", "qrcode"):
        url = f"{_admin_url(TOTPDevice, 'changelist')}{device.pk}/{view}/"
        pages[url] = admin_site_client.get(url, follow=True).content.decode(errors="replace")
    leaks = [(url, s) for url, html in pages.items() for s in secrets if s in html]
    assert leaks == []
    assert "otpauth://" not in "".join(pages.values())


def test_the_authenticator_secret_cannot_be_changed_or_set_in_the_admin(
    admin_site_client, superuser
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=superuser)
    key = device.key
    chosen = "00" * 20
    form = {
        "user": superuser.pk,
        "name": "Mine now",
        "confirmed": "on",
        "key": chosen,
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": 0,
        "throttling_failure_count": 0,
    }
    response = admin_site_client.post(_admin_url(TOTPDevice, "change", device), form)
    assert response.status_code == 403
    response = admin_site_client.post(_admin_url(TOTPDevice, "add"), form)
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.key == key and device.name != "Mine now"
    assert not TOTPDevice.objects.filter(key=chosen).exists()
