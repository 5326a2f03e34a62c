"""Evaluation benchmark against PostgreSQL: section autosaves, the evaluation page, the
progress page and a treatment note's autosave.

Each request goes through the whole Django stack in-process (middleware, session,
view, service, audit entry), as the therapist's browser makes it: an autosave posts the
whole section form (every field, blank or not) with `autosave=1` and the section version
the form was showing.

    uv run python bench/evaluation.py [--database-url URL] [--runs N]

Prints the median (p50) and p95 time and the number of SQL queries of a draft save of each
section, of the evaluation page of a patient with 1 and with 50 prior visits (the
progress charts then have 3 and 52 points: the intake, the prior visits and this visit),
of the progress page of 1 episode of 1 visit and of 3 episodes of 30 visits, and of the
autosave of a daily treatment note (its form posted whole, as for the sections; target
p95 50 ms). Exits 1 if the evaluation or progress page's query count depends on the
number of visits or episodes, or a request's query count (the note's autosave too)
varies between runs; 2 on error. See bench/README.md.
"""

import copy
import datetime
import gc
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import measure, start  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench_evaluation"
WARMUP = 5
PRIOR_VISITS = (1, 50)
NOTE_TARGET_P95_MS = 50.0

DISTAL_SITES = ("FOOT", "BELOW_KNEE", "THIGH", "BUTTOCK", "UNILAT_LB", "CENTRAL_LB")


class RequestFailed(Exception):
    pass


def keep_seen(client) -> None:
    """The idle timeout middleware writes the session's last-seen time every
    `_TOUCH_EVERY` seconds (3 more queries on that request). Refresh it between requests,
    outside the timing, so every timed request does the same work."""
    from core import middleware

    session = client.session
    if int(time.time()) - session.get(middleware.LAST_SEEN, 0) >= middleware._TOUCH_EVERY // 2:
        session[middleware.LAST_SEEN] = int(time.time())
        session.save()


def timed(client, method: str, url: str, data: dict | None = None, **extra) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    keep_seen(client)
    # The query log keeps at most 9,000 entries; once full, its length stops growing and
    # CaptureQueriesContext would count 0. Start each request with an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = getattr(client, method)(url, data, **extra)
        elapsed = (time.perf_counter() - start) * 1000
    body = response.content.decode(errors="replace")
    if response.status_code != 200:
        status = response.status_code
        raise RequestFailed(f"{method.upper()} {url} answered {status}:\n{body[:2000]}")
    if method == "post" and "Saved at" not in body:
        raise RequestFailed(f"POST {url} did not save (200, no 'Saved at'):\n{body[:2000]}")
    return elapsed, len(ctx.captured_queries)


class FormFields(HTMLParser):
    """The name/value pairs a browser submits for one <form id=...>."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.select = None  # [name, first, selected]
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self.pairs.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in a:
                self.select[2] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, first, selected = self.select
            self.pairs.append((name, selected if selected is not None else (first or "")))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # A browser drops the newline that follows <textarea> (Django writes one).
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None


# --- Data ----------------------------------------------------------------------------------


def section_payloads() -> dict[str, dict]:
    """The test helpers' section posts, with the dates a real visit would carry."""
    from django.utils import timezone

    from tests.evaluations import helpers

    today = timezone.localdate()
    later = (today + datetime.timedelta(days=42)).isoformat()
    return {
        "outcomes": {**helpers.OUTCOMES, "visit_date": today.isoformat(), "psfs_a1": "4"},
        "movements": helpers.L5_MOVEMENTS,
        "neurodynamic": helpers.L5_NEURODYNAMIC,
        "neuro": helpers.L5_NEURO,
        "classification": helpers.CLASSIFICATION,
        "plan": {**helpers.PLAN, "goal_1_by": later, "reeval_date": later},
    }


def section_forms(client, evaluation) -> dict[str, dict]:
    """What the browser serialises for each section form of the evaluation page: every
    field as rendered (the saved values, blanks, a select's shown option; unticked check
    boxes are not sent), as htmx posts the whole form."""
    from django.urls import reverse

    from evaluations import forms as eval_forms

    response = client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    if response.status_code != 200:
        body = response.content.decode(errors="replace")
        raise RequestFailed(f"the evaluation page answered {response.status_code}:\n{body[:2000]}")
    html = response.content.decode()
    out = {}
    for key in eval_forms.SECTIONS:
        parser = FormFields(f"f-{key}")
        parser.feed(html)
        data: dict[str, list[str]] = {}
        for name, value in parser.pairs:
            data.setdefault(name, []).append(value)
        if not data:
            raise RequestFailed(f"no form f-{key} on the evaluation page")
        out[key] = data
    return out


def make_patient(therapist, *, intake_days_ago: int):
    from django.utils import timezone

    from intake.models import Intake
    from tests.evaluations import helpers
    from tests.factories import IntakeFactory, PatientFactory

    patient = PatientFactory()
    IntakeFactory(
        patient=patient,
        status=Intake.Status.SUBMITTED,
        answers=helpers.INTAKE_ANSWERS,  # its NPRS items are the progress baseline
        scores={"psfs": {"mean": 3.0}},
        submitted_at=timezone.now() - datetime.timedelta(days=intake_days_ago),
    )
    return patient


def saved_evaluation(patient, therapist, kind: str, payloads: dict):
    """An evaluation started and filled in through the services, every section valid."""
    from django.http import QueryDict

    from evaluations import services

    evaluation = services.evaluation_start(patient=patient, kind=kind, by=therapist)
    for key, data in payloads.items():
        evaluation.refresh_from_db()
        query = QueryDict(mutable=True)
        for name, value in {"version": evaluation.section_versions.get(key, 0), **data}.items():
            query.setlist(name, value if isinstance(value, list) else [str(value)])
        result = services.evaluation_save_section(
            evaluation=evaluation, key=key, data=query, by=therapist
        )
        if result.status != "saved":
            raise RequestFailed(f"service save of {key} was {result.status}: {result.form.errors}")
    evaluation.refresh_from_db()
    return evaluation


def add_prior_visits(current, therapist, count: int, *, episode=None, until_days_ago=0) -> None:
    """`count` signed visits over the past year, copies of `current` with their own dates and
    pain values (in content and findings, which is what the progress charts read)."""
    from django.utils import timezone

    from evaluations import services
    from evaluations.models import Evaluation

    today = timezone.localdate() - datetime.timedelta(days=until_days_ago)
    visits = []
    for i in range(count):
        on = today - datetime.timedelta(days=365 - i * 360 // count)
        at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))
        back, leg = (6 + i) % 11, (8 - i) % 11
        site = DISTAL_SITES[i % len(DISTAL_SITES)]
        content = copy.deepcopy(current.content)
        content["outcomes"].update(
            visit_date=on.isoformat(), back_now=back, leg_now=leg, distal_site=site
        )
        found = copy.deepcopy(current.findings)
        found.setdefault("outcomes", {}).update(back_now=back, leg_now=leg, distal_site=site)
        visit = Evaluation(
            patient=current.patient,
            episode=episode or current.episode,
            intake=current.intake,
            kind=Evaluation.Kind.INITIAL if i == 0 else Evaluation.Kind.REEVALUATION,
            status=Evaluation.Status.SIGNED,
            therapist=therapist,
            visit_date=on,
            created_at=at,
            updated_at=at,
            content=content,
            findings=found,
            section_versions=dict(current.section_versions),
            signed_at=at,
            signed_by=therapist,
        )
        visit.content_hash = services.content_hash(visit)
        visits.append(visit)
    Evaluation.objects.bulk_create(visits)


def chart_points(evaluation) -> int:
    """How many points the leg pain chart of this evaluation's page has."""
    from evaluations import progress, services
    from evaluations.models import Evaluation

    basis = services.intake_basis(evaluation)
    visits = list(Evaluation.objects.for_progress(evaluation.episode_id))
    data = progress.from_records(basis.intake, basis.answers, visits)
    return len(next(m for m in data.measures if m.code == "leg_pain").points)


# --- Benchmarks ------------------------------------------------------------------------------


def bench_saves(client, therapist, runs: int) -> list[dict]:
    from django.urls import reverse

    from evaluations import forms as eval_forms
    from evaluations import services

    payloads = section_payloads()
    patient = make_patient(therapist, intake_days_ago=3)
    evaluation = saved_evaluation(patient, therapist, "initial", payloads)
    rendered = section_forms(client, evaluation)
    ctx = services.section_context(
        evaluation, services.intake_basis(evaluation), odi_licensed=services.odi_licensed()
    )
    # The therapist is typing: one free-text field changes between saves where there is one.
    typing = {"neuro": "notes", "plan": "hep", "classification": "rationale"}
    results = []
    for key, label in (
        ("neuro", "autosave: neuro exam"),
        ("movements", "autosave: repeated movements"),
        ("neurodynamic", "autosave: neurodynamic tests"),
        ("plan", "autosave: plan of care"),
        ("outcomes", "autosave: visit and outcomes"),
        ("classification", "autosave: classification"),
    ):
        data = rendered[key]
        form = eval_forms.build(key, ctx)
        rows = getattr(form, "rows", None)
        fields = sum(len(f.fields) for f in rows) if rows is not None else len(form.fields)
        url = reverse("evaluations:section", args=[evaluation.public_id, key])
        samples = []
        for i in range(WARMUP + runs):
            evaluation.refresh_from_db(fields=["section_versions"])
            post = {**data, "version": evaluation.section_versions.get(key, 0), "autosave": "1"}
            if key in typing:
                post[typing[key]] = f"{data[typing[key]][0]} ({i})".strip()
            result = timed(client, "post", url, post, HTTP_HX_REQUEST="true")
            if i >= WARMUP:
                samples.append(result)
        sent = len(set(data) - {"csrfmiddlewaretoken", "version", "custom_count"})
        results.append(measure(f"{label} ({fields} fields, {sent} sent)", samples))
    return results


def bench_detail(client, therapist, runs: int) -> list[dict]:
    from django.urls import reverse

    payloads = section_payloads()
    results = []
    for prior in PRIOR_VISITS:
        patient = make_patient(therapist, intake_days_ago=400)
        current = saved_evaluation(patient, therapist, "reevaluation", payloads)
        add_prior_visits(current, therapist, prior)
        points = chart_points(current)
        url = reverse("evaluations:detail", args=[current.public_id])
        samples = []
        for i in range(WARMUP + runs):
            result = timed(client, "get", url)
            if i >= WARMUP:
                samples.append(result)
        visits = "visit" if prior == 1 else "visits"
        row = measure(f"evaluation page, {prior} prior {visits} ({points} points)", samples)
        row["prior"] = prior
        results.append(row)
    return results


def past_episodes(current, therapist, *, episodes: int, visits: int) -> None:
    """`episodes` finished courses of care before `current`'s, a year apart, each with its
    own intake and `visits` signed visits."""
    from care.demo import demo_past_episode
    from tests.evaluations import helpers
    from tests.factories import IntakeFactory

    patient = current.patient
    for n in range(episodes):
        days_ago = 400 * (episodes - n) + 30
        start = current.visit_date - datetime.timedelta(days=days_ago + 365)
        episode = demo_past_episode(
            patient=patient,
            start=start,
            end=start + datetime.timedelta(days=364),
            reason="goals_met",
        )
        IntakeFactory(
            patient=patient,
            episode=episode,
            answers=helpers.INTAKE_ANSWERS,
            scores={"psfs": {"mean": 3.0}},
            started_at=timezone_at(start),
            submitted_at=timezone_at(start),
        )
        add_prior_visits(current, therapist, visits, episode=episode, until_days_ago=days_ago)


def timezone_at(on):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(9, 0)))


def bench_progress(client, therapist, runs: int) -> list[dict]:
    """The progress page of one episode with one visit, and of the current one of three
    episodes of 30 visits each: the same queries, and its time."""
    from django.urls import reverse

    payloads = section_payloads()
    results = []
    for episodes, visits in ((1, 1), (3, 30)):
        patient = make_patient(therapist, intake_days_ago=400)
        current = saved_evaluation(patient, therapist, "initial", payloads)
        add_prior_visits(current, therapist, visits - 1)
        past_episodes(current, therapist, episodes=episodes - 1, visits=visits)
        url = reverse("evaluations:progress", args=[patient.public_id])
        samples = []
        for i in range(WARMUP + runs):
            result = timed(client, "get", url)
            if i >= WARMUP:
                samples.append(result)
        row = measure(
            f"progress page, {episodes} episode{'s' if episodes > 1 else ''} x {visits} "
            f"visit{'s' if visits > 1 else ''}",
            samples,
        )
        row["episodes"] = episodes
        results.append(row)
    return results


def note_form_fields(client, note) -> dict[str, list[str]]:
    """What the browser serialises for the note's form (`f-note`) on its page."""
    from django.urls import reverse

    response = client.get(reverse("evaluations:note-detail", args=[note.public_id]))
    if response.status_code != 200:
        body = response.content.decode(errors="replace")
        raise RequestFailed(f"the note page answered {response.status_code}:\n{body[:2000]}")
    parser = FormFields("f-note")
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    if not data:
        raise RequestFailed("no form f-note on the note page")
    return data


def bench_note(client, therapist, runs: int) -> list[dict]:
    """A treatment note's autosave: the note started on an episode whose initial evaluation
    is signed, filled in once through the service (every planned intervention done, the
    re-check all no, no myotome grades), then its rendered form posted whole with
    `autosave=1`, the notes text changing on each save."""
    from django.urls import reverse

    from evaluations import note_services
    from tests.evaluations.note_helpers import form_data, signed_initial
    from tests.factories import PatientFactory

    initial = signed_initial(PatientFactory(), therapist, days_ago=7)
    note = note_services.note_start(episode=initial.episode, by=therapist)
    result = note_services.note_save(
        note=note, data=form_data(note), by=therapist, version=note.version
    )
    if result.status != "saved":
        raise RequestFailed(f"service save of the note was {result.status}: {result.form.errors}")
    note = result.note
    data = note_form_fields(client, note)
    fields = len(note_services.note_form(note).fields)
    url = reverse("evaluations:note-save", args=[note.public_id])
    text = data["notes"][0]
    samples = []
    for i in range(WARMUP + runs):
        note.refresh_from_db(fields=["version"])
        post = {**data, "version": note.version, "autosave": "1", "notes": f"{text} ({i})"}
        result = timed(client, "post", url, post, HTTP_HX_REQUEST="true")
        if i >= WARMUP:
            samples.append(result)
    sent = len(set(data) - {"csrfmiddlewaretoken", "version"})
    return [measure(f"autosave: treatment note ({fields} fields, {sent} sent)", samples)]


def main() -> int:
    args = start(__doc__, DEFAULT_URL)

    from django.test import Client

    from accounts.roles import Role
    from tests.factories import UserFactory, pass_second_factor

    # As clinic/wsgi.py does in every worker once the app is loaded.
    gc.collect()
    gc.freeze()
    therapist = UserFactory(username=f"bench-{uuid.uuid4().hex[:8]}", roles=[Role.THERAPIST])
    client = Client()
    client.force_login(therapist)
    pass_second_factor(client, therapist)  # therapists need the second factor
    try:
        results = bench_saves(client, therapist, args.runs)
        pages = bench_detail(client, therapist, args.runs)
        progress = bench_progress(client, therapist, args.runs)
        note = bench_note(client, therapist, args.runs)
    except RequestFailed as exc:
        print(f"request failed: {exc}", file=sys.stderr)
        return 2
    results += pages + progress + note

    status = 0
    counts = {row["prior"]: row["queries"] for row in pages}
    few, many = (counts[n] for n in PRIOR_VISITS)
    if few == many:
        print(
            f"evaluation page queries: {'/'.join(map(str, few))} with {PRIOR_VISITS[0]} prior "
            f"visit, {'/'.join(map(str, many))} with {PRIOR_VISITS[1]}: the same"
        )
    else:
        print(
            f"evaluation page queries DIFFER: {'/'.join(map(str, few))} with {PRIOR_VISITS[0]} "
            f"prior visit, {'/'.join(map(str, many))} with {PRIOR_VISITS[1]}"
        )
        status = 1
    one, three = (row["queries"] for row in progress)
    if one == three:
        print(f"progress page queries: {'/'.join(map(str, one))} for 1 or 3 episodes: the same")
    else:
        print(f"progress page queries DIFFER: {one} for 1 episode, {three} for 3 of 30 visits")
        status = 1
    p95 = note[0]["p95"]
    within = "within" if p95 <= NOTE_TARGET_P95_MS else "OVER"
    print(
        f"treatment note autosave p95 {p95:.1f} ms: {within} the {NOTE_TARGET_P95_MS:.0f} ms target"
    )
    varying = [r["label"] for r in results if len(r["queries"]) > 1]
    if varying:
        print(f"query count varies between runs: {', '.join(varying)}")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
