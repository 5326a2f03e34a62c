"""Every URL in the URLconf, sent hostile input by hypothesis: no answer is a server error
or a redirect off the site, a GET changes nothing, a refused request changes nothing, a
role that may not use a URL changes nothing, and a draft save changes only its own draft.

The URL list comes from the URLconf at collection time, so a new URL is fuzzed without
anyone adding it here. Its path arguments come from tests/test_access_matrix.py's
`_url_for` (or from PATH_VARIANTS below, for URLs with several interesting records);
a URL neither can build fails, saying so. Who may use a URL comes from the access matrix;
for POST-only URLs, from asking each role.

Field names are the page's own: every page a role can open is parsed for its forms
(action, hx-post, formaction, hx-vals), and each request keeps, changes, drops or repeats
those fields and adds some the page never had. Each request runs in a savepoint that is
rolled back, so every example starts from the same records and sessions.

Examples are derandomized (the same on every run); FUZZ_EXAMPLES raises their number for
a long local run, e.g. `FUZZ_EXAMPLES=140 uv run pytest tests/fuzz` (ten times the
default; about 12 minutes on PostgreSQL).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch, reverse
from django.urls.converters import SlugConverter, StringConverter, UUIDConverter
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from evaluations.forms import SECTIONS
from intake.steps import ANSWER_STEPS, STEPS
from reports.documents import DOCUMENTS
from tests.fuzz.strategies import encode, form_body, htmx_headers, query_pairs, urlencode_raw
from tests.fuzz.support import (
    DRAFT_ENDPOINTS,
    WORLD_ROLES,
    Catalogue,
    build_world,
    changes,
    draft_save_allows,
    endpoint_key,
    fingerprint,
    red_flag_stop_allows,
    refusal,
    refusal_allows,
    rolled_back,
)
from tests.test_access_matrix import MATRIX, ROLES, _named_urls, _url_for

# The records live in the module's own transaction (the plan fixture); the marker also
# tells pytest-django to create the test database.
pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "14"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _url_patterns() -> dict[str, object]:
    return {name or str(pattern.pattern): pattern for name, pattern in _named_urls()}


URLS = _url_patterns()


def _kiosk_steps(world):
    return [{"step": s.key} for s in STEPS]


def _evaluations(world):
    return [
        {"public_id": e.public_id} for e in (world.records["evaluation"], world.signed_evaluation)
    ]


def _notes(world):
    return [{"public_id": n.public_id} for n in (world.records["note"], world.signed_note)]


def _intakes(world):
    return [{"public_id": i.public_id} for i in (world.open_intake, world.records["intake"])]


def _packets(world):
    """A follow-up questionnaire due today in the records' episode, made once."""
    from intake.models import Intake

    episode = world.records["episode"]
    packet = Intake.objects.packets().filter(episode=episode).first() or Intake.objects.create(
        patient=episode.patient,
        episode=episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=episode.start_of_care,
        status=Intake.Status.SCHEDULED,
    )
    return [{"public_id": packet.public_id}]


def _episodes(world):
    return [{"public_id": e.public_id} for e in (world.records["episode"], world.closed_episode)]


def _letter_records(world):
    """A signed evaluation whose plan of care asks for a surgical opinion, the oldest of
    the patient's visits, and a referral letter written from it: made once, in the module's
    transaction, before the plan takes its baseline."""
    records = world.records
    if "letter" not in records:
        import random
        from datetime import timedelta

        from django.utils import timezone

        from care.models import ReferralContact
        from evaluations import services as evaluation_services
        from evaluations.demo import demo_evaluation
        from reports.letters import referral_letter_create

        therapist = world.users["therapist"]
        evaluation = demo_evaluation(
            patient=records["patient"],
            intake=records["intake"],
            therapist=therapist,
            kind="initial",
            visit_date=timezone.localdate() - timedelta(days=40),
            vignette="L5",
            rng=random.Random(5),
            improvement=0.0,
            sign=False,
        )
        evaluation.content["plan"].update(
            referral=True,
            referral_to="spinal_surgeon",
            referral_urgency="routine",
            referral_reason="Surgical opinion on the L5 weakness.",
        )
        evaluation.status, evaluation.signed_by = "signed", therapist
        evaluation.signed_at = timezone.now()
        evaluation.content_hash = evaluation_services.content_hash(evaluation)
        evaluation.save()
        contact = ReferralContact.objects.create(name="Dr B. Surgeon", created_by=therapist)
        records["referring_evaluation"] = evaluation
        records["letter"] = referral_letter_create(
            evaluation=evaluation,
            addressed_to=contact,
            urgency="routine",
            reason="Surgical opinion on the L5 weakness.",
            by=therapist,
        )
    return records


# Known-good path arguments for URLs where one record is not enough: every kiosk screen,
# every evaluation section, draft and signed, open and submitted intakes, open and
# discharged episodes of care (and a patient with none open, who can have one opened).
PATH_VARIANTS = {
    "kiosk:step": _kiosk_steps,
    "kiosk:autosave": _kiosk_steps,
    "kiosk:link": lambda w: [{"token": w.link_token}, {"token": "not-a-real-token"}],
    "evaluations:section": lambda w: [
        {**e, "key": key} for e in _evaluations(w) for key in SECTIONS
    ],
    "evaluations:detail": _evaluations,
    "evaluations:sign": _evaluations,
    "evaluations:addendum": _evaluations,
    "evaluations:note-detail": _notes,
    "evaluations:note-save": _notes,
    "evaluations:note-sign": _notes,
    "evaluations:note-addendum": _notes,
    "intake:amend": lambda w: (
        [
            {"public_id": w.records["intake"].public_id, "step": step}
            for step in ANSWER_STEPS
            if step != "consent"
        ]
        + [{"public_id": w.open_intake.public_id, "step": "pain"}]
    ),
    "intake:kiosk-open": _intakes,
    "intake:link-create": _intakes,
    "intake:cancel": _intakes,
    "intake:handover": _intakes,
    "intake:packet-cancel": _packets,
    "intake:detail": _intakes,
    "care:episode": _episodes,
    "care:referral": _episodes,
    "care:certification": _episodes,
    "care:diagnoses": _episodes,
    "care:discharge": _episodes,
    "care:episode-new": lambda w: [
        {"patient_id": w.records["patient"].public_id},
        {"patient_id": w.closed_episode.patient.public_id},
    ],
    # A draft and a signed evaluation asking for nothing (sent back), and one whose plan of
    # care asks for a referral (the letter form).
    "reports:letter-new": lambda w: (
        [{"evaluation_id": e["public_id"]} for e in _evaluations(w)]
        + [{"evaluation_id": _letter_records(w)["referring_evaluation"].public_id}]
    ),
    "reports:request": lambda w: (
        [
            {
                "kind": kind,
                "subject_id": (
                    _letter_records(w)["letter"]
                    if doc.subject == "referral_letter"
                    else w.records["intake"]
                    if doc.subject == "intake"
                    else w.records["evaluation"]
                ).public_id,
            }
            for kind, doc in DOCUMENTS.items()
        ]
        + [
            {"kind": "handout", "subject_id": w.signed_evaluation.public_id},
            {"kind": "evaluation", "subject_id": w.empty_evaluation.public_id},
        ]
    ),
}


def good_paths(name: str, world) -> list[str]:
    """Paths to real records; [] when the URL's arguments are unknown here."""
    if name in PATH_VARIANTS:
        return [reverse(name, kwargs=kwargs) for kwargs in PATH_VARIANTS[name](world)]
    try:
        return [_url_for(name, world.staff_member, world.records)]
    except NoReverseMatch:
        return []


def garbage_paths(name: str) -> st.SearchStrategy[str] | None:
    """The same URL with random path arguments: unknown records and steps."""
    converters = getattr(URLS[name].pattern, "converters", {})
    if not converters:
        return None
    parts = {}
    for arg, converter in converters.items():
        if isinstance(converter, UUIDConverter):
            parts[arg] = st.uuids()
        elif isinstance(converter, SlugConverter):
            parts[arg] = st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True)
        elif isinstance(converter, StringConverter):
            parts[arg] = st.text(st.characters(exclude_characters="/"), min_size=1, max_size=60)
        else:
            parts[arg] = st.just("0")

    def build(kwargs):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return None

    return st.fixed_dictionaries(parts).map(build).filter(bool)


class Plan:
    """Per URL: its paths, who may use it, and the forms that are sent to it."""

    def __init__(self, world):
        self.world = world
        self.catalogue = Catalogue()
        self.allowed: dict[str, set[str]] = {}
        self.paths: dict[str, list[str]] = {}
        for name in URLS:
            self.paths[name] = good_paths(name, world)
        for name in URLS:
            self.allowed[name] = self._allowed(name) if self.paths[name] else set()
        self.methods = {name: self._methods(name) for name in URLS if self.paths[name]}
        for name in URLS:
            for role in sorted(self.allowed[name]):
                for path in self.paths[name]:
                    self._read_forms(role, path)
        with rolled_back():
            response = world.client("anonymous").get(reverse("healthz"))
        self.healthz_status = response.status_code
        # Every example is rolled back, so this is the state each one starts from.
        self.baseline = fingerprint()

    def _allowed(self, name: str) -> set[str]:
        allowed = set()
        row = MATRIX.get(name)
        if row is not None:
            # 404 is a role that may use the URL, for a record that is not ready (a job's
            # download); 403, 405 and the sign-in page are refusals.
            for role, expected in zip(ROLES, row, strict=False):
                if role in WORLD_ROLES and isinstance(expected, int) and expected not in (403, 405):
                    allowed.add(role)
        if name.startswith("kiosk:"):
            allowed.add("kiosk")
        if allowed:
            return allowed
        # POST-only, or not in the matrix yet: ask each role with an empty POST.
        for role in WORLD_ROLES:
            with rolled_back():
                response = self.world.client(role).post(self.paths[name][0])
            location = response.get("Location", "")
            refused = (
                response.status_code in (403, 405)
                # LoginRequiredMiddleware sends the anonymous to sign in, and back after.
                or (location.startswith(reverse("accounts:login")) and "next=" in location)
                # KioskMiddleware sends a tablet back to its intake.
                or (role == "kiosk" and location == reverse("kiosk:resume"))
            )
            if not refused:
                allowed.add(role)
        return allowed or set(WORLD_ROLES)

    def _methods(self, name: str) -> list[str]:
        """GET and POST, or the one of them the URL answers (most examples go to what
        the URL does; other methods are still sent now and then)."""
        role = sorted(self.allowed[name])[0]
        accepted = []
        for method in ("POST", "GET"):
            with rolled_back():
                response = self.world.client(role).generic(method, self.paths[name][0])
                _finish(response)
            if response.status_code != 405:
                accepted.append(method)
        return accepted or ["POST", "GET"]

    def _read_forms(self, role: str, path: str) -> None:
        with rolled_back():
            response = self.world.client(role).get(path)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                self.catalogue.add_page(response.content.decode(), path)
            _finish(response)


@pytest.fixture(scope="module")
def plan(django_db_setup, django_db_blocker):
    """The records, sessions and forms, built once for the module in a transaction that
    is rolled back at its end."""
    with django_db_blocker.unblock(), rolled_back():
        yield Plan(build_world())


def _finish(response) -> None:
    """Read a streamed answer (a file download) to its end, which closes it the way the
    test client expects. Closing any answer by hand would send request_finished again,
    and Django would close the database connection in the middle of the transaction."""
    if response.streaming:
        b"".join(response.streaming_content)


def _send(client, method: str, path: str, query, body, headers):
    url = path + (f"?{urlencode_raw(query)}" if query else "")
    if body is None:
        return client.generic(method, url, **headers)
    data, content_type = encode(body)
    return client.generic(method, url, data=data, content_type=content_type, **headers)


_OTHER_METHODS = st.sampled_from(["POST", "GET", "PUT", "DELETE", "HEAD"])
_COIN = st.booleans()


def _method(plan: Plan, name: str) -> st.SearchStrategy[str]:
    accepted = st.sampled_from(plan.methods[name])
    return st.one_of(accepted, accepted, accepted, _OTHER_METHODS)


def _paths(plan: Plan, name: str) -> st.SearchStrategy[str]:
    """Real records' paths, and (for URLs with arguments) random ones."""
    garbage = garbage_paths(name)
    known = st.sampled_from(plan.paths[name])
    return known if garbage is None else st.one_of(known, known, garbage)


@st.composite
def requests(draw, plan: Plan, name: str, roles: list[str]):
    role = draw(st.sampled_from(roles))
    path = draw(_paths(plan, name))
    method = draw(_method(plan, name))
    query = draw(query_pairs(plan.catalogue.fields_for("get", path))) if draw(_COIN) else []
    body = None
    if method not in SAFE_METHODS:
        body = draw(form_body(plan.catalogue.fields_for("post", path)))
    headers = draw(htmx_headers())
    return role, method, path, query, body, headers


def _check(plan: Plan, name: str, request, *, allowed: bool) -> None:
    role, method, path, query, body, headers = request
    note(f"{role} {method} {path} query={query!r} headers={headers!r}")
    if body is not None:
        note(f"body ({body.encoding}) {body.pairs!r} files={[f[:2] for f in body.files]!r}")
    baseline = plan.baseline
    with rolled_back():
        response = _send(plan.world.client(role), method, path, query, body, headers)
        after = fingerprint()
        _finish(response)
    status = response.status_code
    note(f"-> {status} {response.get('Location', '')}")
    if name == "healthz":
        assert status in (plan.healthz_status, 405), status
    else:
        assert status < 500, f"{method} {path} answered {status}"
    for header in ("Location", "HX-Redirect"):
        target = urlsplit(response.get(header, ""))
        assert target.scheme in ("", "http", "https") and target.netloc in ("", "testserver"), (
            f"{method} {path} sends the browser off the site: {header}: {response[header]}"
        )
    found = changes(baseline, after)
    if not found:
        return
    described = "\n".join(map(str, found))
    if method in SAFE_METHODS:
        pytest.fail(f"{method} {path} changed data:\n{described}")
    if not allowed:
        pytest.fail(f"{role} may not use {name}, yet {method} {path} changed:\n{described}")
    why = refusal(response)
    key = endpoint_key(path)
    kwargs = dict(key[1]) if key else {}
    # A tablet screen refused with 400 (a signature too large to read) still keeps what
    # else was typed as its draft, on purpose.
    kept_draft = status == 400 and name in ("kiosk:step", "kiosk:autosave")
    if name in DRAFT_ENDPOINTS and (status < 400 or kept_draft):
        stopped = "/kiosk/stop/" in (response.get("Location") or response.get("HX-Redirect") or "")
        wrong = [
            c
            for c in found
            if not draft_save_allows(c, name=name, kwargs=kwargs, world=plan.world, refused=why)
            and not (stopped and red_flag_stop_allows(c, world=plan.world))
        ]
        assert not wrong, f"a save of {path} changed more than its draft:\n" + "\n".join(
            map(str, wrong)
        )
    elif why:
        wrong = [c for c in found if not refusal_allows(c, name=name)]
        assert not wrong, f"refused ({why}) yet changed:\n" + "\n".join(map(str, wrong))


def _needs_paths(plan: Plan, name: str) -> None:
    if not plan.paths[name]:
        pytest.fail(
            f"{name}: the fuzzer cannot build this URL's path. Give it path arguments in "
            "tests/test_access_matrix.py's _url_for or in PATH_VARIANTS in this file."
        )


@pytest.mark.parametrize("name", sorted(URLS))
@FUZZ
@given(data=st.data())
def test_it_survives_hostile_input_from_roles_allowed_to_use_the_url(plan, name, data):
    _needs_paths(plan, name)
    roles = sorted(plan.allowed[name])
    _check(plan, name, data.draw(requests(plan, name, roles)), allowed=True)


@pytest.mark.parametrize("name", sorted(URLS))
@settings(FUZZ, max_examples=max(3, EXAMPLES // 3))
@given(data=st.data())
def test_roles_not_allowed_to_use_the_url_change_nothing(plan, name, data):
    _needs_paths(plan, name)
    roles = sorted(set(WORLD_ROLES) - plan.allowed[name])
    if not roles:
        pytest.skip("open to every role: nobody to refuse")
    _check(plan, name, data.draw(requests(plan, name, roles)), allowed=False)
