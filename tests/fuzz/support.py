"""What the endpoint fuzzer stands on: one of each record, a signed-in session per role
(and a tablet in kiosk mode), the forms each page shows, and a fingerprint of every app
table to tell whether a request changed anything.

Every fuzzed request runs inside a savepoint that is rolled back afterwards, so each
example starts from the same records and sessions, and a change it made can be compared
against a fixed baseline.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from accounts.roles import Role
from care import services as care_services
from care.models import Episode
from core.models import Clinic
from evaluations.demo import demo_evaluation
from intake import services as intake_services
from intake.demo import demo_answers, demo_results
from intake.models import RedFlagAlert
from intake.tablets import tablet_enrol
from reports.models import ReportJob
from tests.factories import (
    EvaluationFactory,
    IntakeConsentFactory,
    IntakeFactory,
    PatientFactory,
    UserFactory,
    hand_over_tablet,
)
from tests.intake.answers import HAPPY, odi_pack_document

# The roles a request can come from: the access matrix's five, and a tablet in kiosk mode.
STAFF_ROLES = ("front_desk", "therapist", "administrator", "no_role")
WORLD_ROLES = ("anonymous", *STAFF_ROLES, "kiosk")


@dataclass
class World:
    users: dict[str, Any]
    sessions: dict[str, str]  # role -> session key
    # role -> other cookies the role's browser holds (the enrolled tablet's)
    cookies: dict[str, dict[str, str]]
    records: dict[str, Any]  # what tests/test_access_matrix.py's _url_for expects
    staff_member: Any
    open_intake: Any
    signed_evaluation: Any
    empty_evaluation: Any  # nothing recorded yet: its documents are unavailable
    kiosk_intake: Any
    link_token: str
    closed_episode: Any = None  # discharged: its edit pages refuse
    signed_note: Any = None  # a signed treatment note: its saves are refused

    def client(self, role: str) -> Client:
        """A fresh client holding the role's session (restored by each rollback)."""
        client = Client(raise_request_exception=True)
        key = self.sessions.get(role)
        if key:
            client.cookies[settings.SESSION_COOKIE_NAME] = key
        for name, value in self.cookies.get(role, {}).items():
            client.cookies[name] = value
        return client


def _submitted_intake(patient):
    on = timezone.localdate() - timedelta(days=3)
    answers = demo_answers(random.Random(11), today=on, radicular=True)
    return IntakeFactory(
        patient=patient,
        answers=answers,
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )


def _login(user) -> str:
    """A signed-in session that has passed the second factor, as after a real sign-in.
    (tests/conftest.py does this for function-scoped tests; these sessions are made once
    per module, before that fixture runs.)"""
    from tests.factories import pass_second_factor

    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client.session.session_key


def _fill_kiosk(client: Client) -> None:
    """Answer every screen, so the fuzzer can reach each one (a tablet cannot skip
    ahead of the first unanswered screen)."""
    from intake.steps import STEPS

    for step in STEPS:
        if step.key == "review":
            continue
        data = dict(HAPPY.get(step.key, {}))
        if not data:
            # A screen without canned answers (the ODI from the test pack): the first
            # choice of every question on the page.
            page = client.get(reverse("kiosk:step", args=[step.key]))
            for form in parse_forms(page.content.decode()):
                for name, spec in form.fields.items():
                    if spec.options and name not in data:
                        data[name] = sorted(spec.options)[0]
        response = client.post(reverse("kiosk:step", args=[step.key]), {**data, "nav": "next"})
        assert response.status_code == 302, (step.key, response.content.decode()[:2000])


def _treatment_notes(episode, therapist):
    """A draft treatment note on the episode's plan of care, and a signed one."""
    from evaluations import note_services

    draft = note_services.note_start(episode=episode, by=therapist)
    signed = note_services.note_start(episode=episode, by=therapist)
    signed.status, signed.signed_by, signed.signed_at = "signed", therapist, timezone.now()
    signed.content_hash = note_services.content_hash(signed)
    signed.save()
    return draft, signed


def build_world() -> World:
    Clinic.objects.current()
    # A licensed ODI pack, so the ODI screen and its answers are fuzzed too.
    intake_services.instrument_pack_load(raw=json.dumps(odi_pack_document()).encode())
    users = {
        "anonymous": None,
        "front_desk": UserFactory(username="fz-frontdesk", roles=[Role.FRONT_DESK]),
        "therapist": UserFactory(username="fz-therapist", roles=[Role.THERAPIST]),
        "administrator": UserFactory(username="fz-admin", roles=[Role.ADMINISTRATOR]),
        "no_role": UserFactory(username="fz-none", roles=[]),
    }
    staff_member = UserFactory(username="fz-someone", roles=[Role.THERAPIST])

    patient = PatientFactory()
    intake = _submitted_intake(patient)
    IntakeConsentFactory(intake=intake)
    alert = RedFlagAlert.objects.create(
        intake=intake, patient=patient, level="EMERGENCY", ces=True, items=["CES-3"], summary="x"
    )
    rng = random.Random(3)
    evaluation = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=users["therapist"],
        kind="initial",
        visit_date=timezone.localdate() - timedelta(days=2),
        vignette="L5",
        rng=rng,
        improvement=0.0,
        sign=False,
    )
    signed = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=users["therapist"],
        kind="initial",
        visit_date=timezone.localdate() - timedelta(days=20),
        vignette="S1",
        rng=rng,
        improvement=0.0,
        sign=True,
    )
    empty = EvaluationFactory(patient=patient, intake=intake, therapist=users["therapist"])
    note, signed_note = _treatment_notes(intake.episode, users["therapist"])
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.EVALUATION,
        params={"subject": str(evaluation.public_id)},
        patient=patient,
        requested_by=users["therapist"],
    )
    open_intake = intake_services.intake_start(patient=PatientFactory(), by=users["front_desk"])
    link_intake = intake_services.intake_start(patient=PatientFactory(), by=users["front_desk"])
    _access, link_token = intake_services.intake_link_create(
        intake=link_intake, by=users["front_desk"]
    )

    spare_tablet, _raw = tablet_enrol(name="Spare tablet", by=users["administrator"])

    # The patient's episode of care (their intake's), referred by a clinician in the
    # clinic's list, with a diagnosis; and another patient's, discharged (a closed record).
    contact = care_services.referral_contact_save(
        by=users["front_desk"], data={"name": "Dr A. Referrer", "organisation": "Practice"}
    )
    episode = intake.episode
    care_services.episode_update_referral(
        by=users["front_desk"],
        episode=episode,
        data={"referral": Episode.Referral.REFERRED, "referrer": contact},
    )
    care_services.episode_set_diagnoses(by=users["therapist"], episode=episode, codes=["M54.16"])
    closed_episode = care_services.episode_open(
        by=users["front_desk"],
        patient=PatientFactory(),
        data={"start_of_care": timezone.localdate() - timedelta(days=30)},
    )
    care_services.episode_discharge(
        by=users["therapist"], episode=closed_episode, on=timezone.localdate(), reason="goals_met"
    )

    # The tablet: the front desk starts an intake and hands an enrolled tablet over.
    tablet = Client()
    tablet.cookies[settings.SESSION_COOKIE_NAME] = _login(users["front_desk"])
    kiosk_patient = PatientFactory()
    tablet.post(reverse("intake:start", args=[kiosk_patient.public_id]))
    kiosk_intake = kiosk_patient.intakes.get()
    hand_over_tablet(tablet, intake=kiosk_intake, by=users["front_desk"])
    _fill_kiosk(tablet)

    sessions = {role: _login(user) for role, user in users.items() if user is not None}
    sessions["kiosk"] = tablet.session.session_key
    tablet_cookie = {settings.TABLET_COOKIE_NAME: tablet.cookies[settings.TABLET_COOKIE_NAME].value}
    return World(
        users=users,
        sessions=sessions,
        cookies={"kiosk": tablet_cookie},
        records={
            "patient": patient,
            "intake": intake,
            "alert": alert,
            "evaluation": evaluation,
            "note": note,
            "job": job,
            "tablet": spare_tablet,
            "episode": episode,
            "contact": contact,
        },
        staff_member=staff_member,
        open_intake=open_intake,
        signed_evaluation=signed,
        empty_evaluation=empty,
        kiosk_intake=kiosk_intake,
        link_token=link_token,
        closed_episode=closed_episode,
        signed_note=signed_note,
    )


# --- Forms on a page ----------------------------------------------------------------------


@dataclass
class FieldSpec:
    kind: str = "text"  # the input type, "select" or "textarea"
    defaults: set[str] = field(default_factory=set)  # values the page itself would send
    options: set[str] = field(default_factory=set)  # choices offered (select, radio, checkbox)


@dataclass
class FormSpec:
    method: str
    endpoints: set[str]  # paths the form's fields are sent to (action, hx-post, formaction)
    fields: dict[str, FieldSpec] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def _field(self, name: str, kind: str) -> FieldSpec:
        spec = self._form.fields.setdefault(name, FieldSpec(kind=kind))
        return spec

    def _endpoints(self, attrs: dict) -> set[str]:
        found = set()
        for key in ("action", "hx-post", "hx-get", "formaction", "hx-put", "hx-delete"):
            if attrs.get(key):
                found.add(attrs[key])
        return found

    def _hx_vals(self, attrs: dict) -> None:
        try:
            values = json.loads(attrs.get("hx-vals") or "{}")
        except ValueError:
            return
        for name, value in values.items():
            self._field(name, "hidden").defaults.add(str(value))

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            endpoints = self._endpoints(attrs) or {self.page_path}
            self._form = FormSpec(
                method=(attrs.get("method") or "get").lower(), endpoints=endpoints
            )
            self.forms.append(self._form)
            self._hx_vals(attrs)
            return
        if self._form is None:
            # htmx requests outside any form (polls, buttons): their own endpoint.
            endpoints = {attrs[k] for k in ("hx-post", "hx-get") if attrs.get(k)}
            if endpoints:
                form = FormSpec(method="post" if "hx-post" in attrs else "get", endpoints=endpoints)
                self.forms.append(form)
                saved, self._form = self._form, form
                self._hx_vals(attrs)
                self._form = saved
            return
        self._form.endpoints |= {attrs[k] for k in ("formaction", "hx-post") if attrs.get(k)}
        self._hx_vals(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            spec = self._field(name, kind)
            value = attrs.get("value", "")
            if kind in ("checkbox", "radio"):
                spec.options.add(value or "on")
                if "checked" in attrs:
                    spec.defaults.add(value or "on")
            elif kind not in ("submit", "button", "reset", "image"):
                spec.defaults.add(value)
            else:
                spec.options.add(value)
        elif tag == "button" and name:
            self._field(name, "submit").options.add(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._field(name, "select")
        elif tag == "option" and self._select:
            spec = self._form.fields[self._select]
            value = attrs.get("value", "")
            spec.options.add(value)
            if "selected" in attrs:
                spec.defaults.add(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._field(name, "textarea").defaults.add("")

    def handle_data(self, data):
        if self._textarea and self._form is not None and data.strip():
            spec = self._form.fields[self._textarea]
            spec.defaults.discard("")
            spec.defaults.add(data.lstrip("\n"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(html: str, page_path: str = "") -> list[FormSpec]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


def endpoint_key(path: str) -> tuple[str, tuple] | None:
    """(url name, the non-UUID path arguments) of a path: a form for one evaluation's
    "neuro" section fits every evaluation's "neuro" section."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    args = tuple(sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, UUID)))
    return match.view_name, args


class Catalogue:
    """Every form found on the pages a role can open, by the endpoint it is sent to."""

    def __init__(self):
        self.post: dict[tuple, dict[str, FieldSpec]] = defaultdict(dict)
        self.get: dict[tuple, dict[str, FieldSpec]] = defaultdict(dict)

    def add_page(self, html: str, page_path: str) -> None:
        for form in parse_forms(html, page_path):
            target = self.post if form.method == "post" else self.get
            for endpoint in form.endpoints:
                key = endpoint_key(endpoint)
                if key is None:
                    continue
                fields = target[key]
                for name, spec in form.fields.items():
                    merged = fields.setdefault(name, FieldSpec(kind=spec.kind))
                    merged.defaults |= spec.defaults
                    merged.options |= spec.options

    def fields_for(self, method: str, path: str) -> dict[str, FieldSpec]:
        """The fields for this exact endpoint, or for any variant of it (another step)
        when none was seen for this one."""
        table = self.post if method == "post" else self.get
        key = endpoint_key(path)
        if key is None:
            return {}
        if key in table:
            return table[key]
        merged: dict[str, FieldSpec] = {}
        for (name, _args), fields in table.items():
            if name == key[0]:
                merged.update(fields)
        return merged


# --- Did the request change anything? ------------------------------------------------------

# Rows a refused request may still write: the audit trail records refusals, sessions hold
# the browser's state, and sign-in attempt counters exist to count refusals.
EXCLUDED_MODELS = {"audit.auditevent", "sessions.session"}
EXCLUDED_APPS = {"axes"}


def _excluded_field(model, name: str) -> bool:
    # django-otp's devices count failed codes (throttling) on the device row itself.
    return model._meta.app_label.startswith("otp_") and (
        name.startswith("throttling_") or name in ("last_used_at", "last_t")
    )


def _plain(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


Fingerprint = dict[str, dict[Any, dict[str, Any]]]


def fingerprint() -> Fingerprint:
    """Every row of every app table, by table and primary key."""
    tables: Fingerprint = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in EXCLUDED_MODELS:
            continue
        if meta.app_label in EXCLUDED_APPS:
            continue
        names = [f.attname for f in meta.concrete_fields if not _excluded_field(model, f.name)]
        rows = model._base_manager.order_by("pk").values_list("pk", *names)
        tables[meta.label_lower] = {
            row[0]: {n: _plain(v) for n, v in zip(names, row[1:], strict=True)} for row in rows
        }
    return tables


@dataclass(frozen=True)
class Change:
    table: str
    pk: Any
    field: str  # "<row added>" / "<row removed>" for whole rows
    before: Any = None
    after: Any = None
    row: dict = field(default_factory=dict, compare=False)  # the row, as it is now

    def __str__(self) -> str:
        def short(value):
            text = repr(value)
            return text if len(text) < 160 else text[:160] + "…"

        return f"{self.table}#{self.pk}.{self.field}: {short(self.before)} -> {short(self.after)}"


def changes(before: Fingerprint, after: Fingerprint) -> list[Change]:
    found = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        for pk in old.keys() - new.keys():
            found.append(Change(table, pk, "<row removed>", old[pk], None, old[pk]))
        for pk in new.keys() - old.keys():
            found.append(Change(table, pk, "<row added>", None, new[pk], new[pk]))
        for pk in old.keys() & new.keys():
            for name, value in new[pk].items():
                if old[pk].get(name) != value:
                    found.append(Change(table, pk, name, old[pk].get(name), value, new[pk]))
    return found


def _only_keys_differ(before, after, keys) -> bool:
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return False
    return {k: v for k, v in before.items() if k not in keys} == {
        k: v for k, v in after.items() if k not in keys
    }


# Endpoints that keep typed input as a draft whatever its state. What they change is
# checked on every answer, accepted or refused: only the draft of the screen or section
# the request was for.
DRAFT_ENDPOINTS = {"kiosk:step", "kiosk:autosave", "evaluations:section", "evaluations:note-save"}


def draft_save_allows(change: Change, *, name: str, kwargs: dict, world: World, refused) -> bool:
    """What a save of one screen or section may change: that screen's or section's own
    draft (typed input is never lost, by design) and, when the input is valid, its answers.
    Never another screen's answers, another record, or the patient; and input that was
    refused never replaces a section's last valid content."""
    if name in ("kiosk:step", "kiosk:autosave"):
        step = kwargs.get("step")
        intake_pk = world.kiosk_intake.pk
        if change.table == "intake.intake" and change.pk == intake_pk:
            if change.field in ("current_step", "updated_at"):
                return True
            if change.field in ("drafts", "answers"):
                # An unfinished screen's answers are withdrawn until it is complete again.
                return _only_keys_differ(change.before, change.after, {step})
            if change.field == "answered_at":
                keys = set(change.before or {}) | set(change.after or {})
                return _only_keys_differ(
                    change.before, change.after, {k for k in keys if k.startswith(f"{step}.")}
                )
        # The consent screen keeps the finger signature as soon as it is readable.
        if change.table == "intake.intakeconsent" and step == "consent":
            return change.field != "<row removed>" and change.row.get("intake_id") == intake_pk
        return False
    if name == "evaluations:note-save":
        note_pk = world.records["note"].pk
        if change.table == "evaluations.treatmentnote" and change.pk == note_pk:
            if change.field in ("drafts", "version", "updated_at"):
                return True
            return change.field in ("content", "visit_date") and not refused
        # A yes on the cauda equina re-check alerts staff whatever else was typed.
        if change.table == "intake.redflagalert":
            return change.field == "<row added>" and change.row.get("treatment_note_id") == note_pk
        return False
    if name == "evaluations:section":
        key = kwargs.get("key")
        evaluation_pk = world.records["evaluation"].pk
        if change.table == "evaluations.evaluation" and change.pk == evaluation_pk:
            if change.field in ("findings", "updated_at"):
                return True
            if change.field in ("drafts", "section_versions"):
                return _only_keys_differ(change.before, change.after, {key})
            if change.field == "content" and not refused:
                return _only_keys_differ(change.before, change.after, {key})
            if change.field == "visit_date" and not refused:
                return key == "outcomes"
        # An upper motor neuron sign in a valid neuro exam raises a staff alert.
        if change.table == "intake.redflagalert" and key == "neuro" and not refused:
            return change.field == "<row added>" and change.row.get("evaluation_id") == (
                evaluation_pk
            )
        return False
    return False


def refusal_allows(change: Change, *, name: str) -> bool:
    """The one refusal that writes on purpose: a wrong date of birth counts against an
    intake link, and revokes it after five."""
    return (
        name == "kiosk:link"
        and change.table == "intake.intakeaccess"
        and change.field in ("failed_attempts", "revoked_at")
    )


def red_flag_stop_allows(change: Change, *, world: World) -> bool:
    """A cauda equina answer stops the intake at once, even on an unfinished screen: the
    patient is sent to the front desk and staff are alerted (by design, issue 3)."""
    if change.table == "intake.intake" and change.pk == world.kiosk_intake.pk:
        return True
    if change.table == "intake.redflagalert":
        return change.field == "<row added>" and change.row.get("intake_id") == (
            world.kiosk_intake.pk
        )
    if change.table == "intake.historicalintake":  # the stop is a status change: versioned
        return change.field == "<row added>" and change.row.get("id") == world.kiosk_intake.pk
    return False


# --- Was the request refused? ----------------------------------------------------------------


def _errored(value, depth: int = 0) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and (bool(value.non_form_errors()) or any(value.errors))
    if depth < 2 and isinstance(value, dict):
        return any(_errored(v, depth + 1) for v in value.values())
    if depth < 2 and isinstance(value, (list, tuple)):
        return any(_errored(v, depth + 1) for v in value[:50])
    return False


def refusal(response) -> str | None:
    """Why the app refused this request, or None when it accepted it: a 4xx answer, a form
    shown again with its errors, or an error or warning message on the next page."""
    if 400 <= response.status_code < 500:
        return f"HTTP {response.status_code}"
    contexts = response.context
    if hasattr(contexts, "flatten"):  # the client unwraps a single template's context
        contexts = [contexts]
    for context in contexts or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if _errored(value):
                return "form errors"
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    for message in getattr(storage, "_queued_messages", []):
        if message.level >= message_levels.WARNING:
            return f"message: {message.message}"
    return None


def rolled_back():
    """A savepoint whose changes are always undone."""
    return _RolledBack()


class _RolledBack:
    def __enter__(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        transaction.set_rollback(True)
        return self._atomic.__exit__(exc_type, exc, tb)
