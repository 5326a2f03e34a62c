"""Markup, script, template syntax and `javascript:` links typed by a patient (on the
tablet) or for them (names at the front desk) come out as text: escaped on every staff page
that shows them, printed literally in the PDFs.

Every free-text box is found from the page itself, so a new one is covered too. A box that
refuses the text (a phone number, a short postcode) keeps nothing of it; the test records
which boxes kept it and then looks for each of those values.
"""

import itertools
import random
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from core.models import Clinic
from evaluations.demo import demo_evaluation
from intake.models import Intake, RedFlagAlert
from patients.models import Patient
from reports.documents import DOCUMENTS
from reports.pdf import render_document
from tests.factories import UserFactory, hand_over_tablet
from tests.intake.answers import HAPPY
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}"


# Numbers that tell one box's text from another's.
_numbers = itertools.count(1)


def hostile(n: int, room: int) -> str:
    """What a patient might type into box n, cut to fit a box that holds `room`
    characters: markup, an attribute break-out, template syntax and a script link."""
    full = f"{SCRIPT}{ATTRIBUTE} {TEMPLATE} javascript:alert({n})"
    if len(full) <= room:
        return full
    short = f"<b>{n}</b>{TEMPLATE}"
    return short if len(short) <= room else f"<{n}>"[:room]


class _TextBoxes(HTMLParser):
    """The free-text boxes of a page (text, search and textarea; not hidden, tel, email,
    date or choice inputs), with the length each accepts."""

    def __init__(self):
        super().__init__()
        self.boxes: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
        if name and kind in ("text", "search", "textarea"):
            self.boxes[name] = int(attrs.get("maxlength") or 10_000)


def text_boxes(html: str) -> dict[str, int]:
    parser = _TextBoxes()
    parser.feed(html)
    return parser.boxes


def post_hostile(client: Client, url: str, base: dict, *, skip=()) -> tuple[object, dict]:
    """Fill every free-text box on the page at `url` with hostile text (the rest from
    `base`) and send it; a box the form refuses gets shorter text, then its ordinary value.
    Returns the response that was accepted and {box: text it kept}."""
    boxes = {k: v for k, v in text_boxes(client.get(url).content.decode()).items() if k not in skip}
    assert boxes, f"no free-text boxes on {url}"
    typed = {name: hostile(next(_numbers), room) for name, room in sorted(boxes.items())}
    for _attempt in range(4):
        response = client.post(url, {**base, **typed})
        if response.status_code == 302:
            return response, typed
        assert response.status_code == 200, (url, response.status_code)
        refused = set(response.context["form"].errors) & set(typed)
        assert refused, (url, response.context["form"].errors)
        for name in refused:
            shorter = f"<b>{next(_numbers)}</b>"
            if not typed[name].startswith("<b>") and len(shorter) <= boxes[name]:
                typed[name] = shorter
            else:
                del typed[name]
    raise AssertionError(f"{url} never accepted the form")


_DANGEROUS_LINK = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


_SHORT_MARKUP = re.compile(r"<b>\d+</b>")


def assert_escaped(page: str, texts, *, where: str) -> None:
    """Each text shows as text (escaped, its template syntax untouched) and nothing of
    it is live markup."""
    for raw in (SCRIPT, "<img src=x onerror"):
        assert raw not in page, f"{where}: {raw!r} is live markup"
    assert not _SHORT_MARKUP.search(page), f"{where}: typed <b> is live markup"
    assert not _DANGEROUS_LINK.search(page), f"{where}: a javascript: link"
    for text in texts:
        assert escape(text) in page, f"{where}: {text!r} is not shown escaped"


@pytest.fixture
def staff(db):
    return {
        "front_desk": UserFactory(username="x-frontdesk", roles=[Role.FRONT_DESK]),
        "therapist": UserFactory(username="x-therapist", roles=[Role.THERAPIST]),
        "administrator": UserFactory(username="x-admin", roles=[Role.ADMINISTRATOR]),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hostile_records(staff):
    """A patient registered at the front desk with hostile names, who then fills in the
    whole intake on the tablet with hostile text in every box, and a second intake that
    stops on a cauda equina answer and raises an alert."""
    desk = _client(staff["front_desk"])
    base = {
        "date_of_birth": "1981-06-15",
        "sex": "female",
        "preferred_language": "en",
        "phone": "+44 7700 900456",
        "emergency_contact_phone": "+44 7700 900457",
    }
    response, registered = post_hostile(desk, reverse("patients:new"), base)
    patient = Patient.objects.get(mrn=re.search(r"MRN (\d+)", _messages(response)).group(1))
    assert {"given_name", "family_name"} <= registered.keys()

    tablet = _client(staff["front_desk"])
    tablet.post(reverse("intake:start", args=[patient.public_id]))
    intake = patient.intakes.get()
    hand_over_tablet(tablet, intake=intake, by=staff["front_desk"])
    answered: dict[str, str] = {}
    # Every activity box gets text, so every activity needs a score.
    extra = {"psfs": {"score_4": "2", "score_5": "6"}}
    for step, happy in HAPPY.items():
        answers = {**happy, **extra.get(step, {})}
        url = reverse("kiosk:step", args=[step])
        if text_boxes(tablet.get(url).content.decode()):
            _response, typed = post_hostile(tablet, url, {**answers, "nav": "next"})
            answered.update(typed)
        else:
            assert tablet.post(url, {**answers, "nav": "next"}).status_code == 302, step
    review = tablet.get(reverse("kiosk:step", args=["review"])).content.decode()
    tablet.post(reverse("kiosk:submit"), {"submission_id": "0b6f7a52-4bd0-4d51-8e0b-64c4b5f1f0a1"})
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED

    # The same patient back another day: both legs and the saddle area stop the form.
    desk.post(reverse("intake:start", args=[patient.public_id]))
    second = patient.intakes.exclude(pk=intake.pk).get()
    tablet = _client(staff["front_desk"])
    hand_over_tablet(tablet, intake=second, by=staff["front_desk"])
    for step in ("about", "consent"):
        tablet.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
    tablet.post(
        reverse("kiosk:step", args=["where"]),
        {**HAPPY["where"], "chart_saddle": ["numbness"], "chart_thigh_back_r": ["pain"]},
    )
    alert = RedFlagAlert.objects.get(intake=second)
    return {
        "patient": patient,
        "intake": intake,
        "alert": alert,
        "names": [registered["given_name"], registered["family_name"]],
        "registered": registered,
        "answered": answered,
        "review": review,
    }


def _messages(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


ABOUT_BOXES = (
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
)


def test_the_tablet_keeps_hostile_text_in_every_free_text_box_as_plain_text(hostile_records):
    answered = hostile_records["answered"]
    # Free-text boxes across the screens: contact details, the signed name, medicines,
    # what imaging, injections and surgery involved, and the activities found hard.
    expected = {
        *ABOUT_BOXES,
        "signed_name",
        "medications",
        "imaging_details",
        "injections_details",
        "surgery_details",
        *(f"activity_{n}" for n in range(1, 6)),
    }
    assert expected <= answered.keys(), expected - answered.keys()
    intake = hostile_records["intake"]
    assert intake.answers["psfs"]["activities"][0]["name"] == answered["activity_1"]
    assert_escaped(hostile_records["review"], answered.values(), where="tablet review screen")


def test_staff_pages_show_the_patients_text_escaped(hostile_records, staff):
    patient, intake, alert = (hostile_records[k] for k in ("patient", "intake", "alert"))
    names = hostile_records["names"]
    answered = hostile_records["answered"]
    # The tablet's contact details replace the ones registered at the desk.
    contact = [answered[box] for box in ABOUT_BOXES]
    therapist = _client(staff["therapist"])
    therapist.post(reverse("evaluations:start", args=[patient.public_id]), {"kind": "initial"})
    evaluation = patient.evaluations.get()
    activities = [answered[f"activity_{n}"] for n in range(1, 6)]

    pages = {
        "front_desk": [
            (reverse("core:home"), names),
            (reverse("patients:list"), names),
            (reverse("patients:detail", args=[patient.public_id]), names + contact),
            (reverse("patients:edit", args=[patient.public_id]), names + contact),
            (reverse("intake:queue"), names),
            # The front desk's view of an intake is its status, without the answers.
            (reverse("intake:detail", args=[intake.public_id]), names),
            (reverse("intake:alerts-banner"), names),
        ],
        "therapist": [
            (reverse("core:home"), names),
            (reverse("intake:detail", args=[intake.public_id]), names + list(answered.values())),
            (reverse("intake:amend", args=[intake.public_id, "psfs"]), activities),
            (reverse("intake:amend", args=[intake.public_id, "about"]), contact),
            (reverse("intake:alert", args=[alert.public_id]), names),
            (reverse("evaluations:detail", args=[evaluation.public_id]), names + activities),
            (reverse("evaluations:list"), names),
            (reverse("evaluations:progress", args=[patient.public_id]), names),
        ],
        "administrator": [
            (reverse("patients:detail", args=[patient.public_id]), names + contact),
            (f"{reverse('audit:list')}?patient={patient.public_id}", names),
        ],
    }
    for role, urls in pages.items():
        client = _client(staff[role])
        for url, texts in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert_escaped(response.content.decode(), texts, where=f"{role} {url}")

    # A search for the name echoes what was typed back into the search box.
    desk = _client(staff["front_desk"])
    response = desk.post(reverse("patients:list"), {"q": names[1]})
    assert_escaped(response.content.decode(), [names[1]], where="patient search")


def test_the_pdfs_print_the_patients_text_literally(hostile_records, staff):
    patient, intake = hostile_records["patient"], hostile_records["intake"]
    answered = hostile_records["answered"]
    clinic = Clinic.objects.current()

    summary = pdf_text(
        render_document(
            "intake_summary", DOCUMENTS["intake_summary"].load(intake.public_id), clinic=clinic
        ).pdf
    )
    for text in [*hostile_records["names"], *answered.values()]:
        assert text in summary, f"{text!r} not printed literally in the intake summary"

    evaluation = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=staff["therapist"],
        kind="initial",
        visit_date=timezone.localdate() - timedelta(days=1),
        vignette="L5",
        rng=random.Random(5),
        improvement=0.0,
        sign=True,
    )
    activities = [answered[f"activity_{n}"] for n in range(1, 6)]
    # The evaluation re-rates the patient's own activities; every document names them.
    for kind, texts in (
        ("evaluation", hostile_records["names"] + activities),
        ("progress", hostile_records["names"]),
        ("handout", hostile_records["names"]),
    ):
        report = pdf_text(
            render_document(kind, DOCUMENTS[kind].load(evaluation.public_id), clinic=clinic).pdf
        )
        for text in texts:
            assert text in report, f"{text!r} not printed literally in the {kind} PDF"
