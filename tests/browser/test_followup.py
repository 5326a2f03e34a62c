"""The follow-up questionnaire end to end (issue 18 point 8), once on a phone-sized screen
(360 by 740) and once on the portrait tablet: the front desk hands a due re-evaluation packet
over as a link and QR code; the patient answers it on their own device, timed; the
therapist's re-evaluation opens with the outcomes pre-filled and marked "Patient-reported
on …"; a second packet's bladder answer stops it on the emergency screen and reaches the
therapist's banner within 5 seconds; an URGENT intake alert is dispositioned; and the
administrator's safety figures match the numbers worked out here from the alerts the test
made. Screenshots go to test-artifacts/followup-<screen>-*.png."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.roles import Role
from audit.models import AuditEvent
from care.models import Episode
from core.models import Clinic
from evaluations.demo import demo_evaluation
from evaluations.models import Evaluation
from evaluations.wording import unbroken_date
from intake.alerts import alert_disposition, raise_for_triage, raise_intake_alert
from intake.demo import demo_answers, demo_results
from intake.followup.schedule import PlanDates, packets_plan
from intake.models import Intake, RedFlagAlert
from intake.questions import FOLLOW_UP_RED_FLAG_CODES
from tests.browser.conftest import PORTRAIT
from tests.browser.helpers import axe_violations, check_tablet_rules, remove_tool_styles, sign_in
from tests.factories import EpisodeFactory, IntakeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 360, "height": 740}, "tablet": PORTRAIT}
DOB = date(1985, 4, 12)
CLINIC_PHONE = "+44 20 7946 0000"
EMERGENCY = "999"
ACTIVITIES = [
    {"id": "a1", "name": "Sitting at work", "score": 3},
    {"id": "a2", "name": "Walking the dog", "score": 5},
    {"id": "a3", "name": "Putting on socks", "score": 4},
]
# What the patient taps on the re-evaluation packet.
PAIN = {"nprs_back_now": "2", "nprs_leg_now": "4"}
RERATED = {"a1": "6", "a2": "7", "a3": "5"}
URGENT_RAISED_AGO = timedelta(minutes=95)
MONITOR_RAISED_AGO = timedelta(hours=3)


@dataclass
class Setting:
    patient: object
    reeval_packet: Intake
    discharge_packet: Intake
    urgent: RedFlagAlert
    monitor: RedFlagAlert


def _at(on: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour)))


def _intake(patient, *, at: datetime, episode=None, radicular=False, history=None) -> Intake:
    """A first-visit intake the patient submitted at `at`, its results computed."""
    on = timezone.localtime(at).date()
    answers = demo_answers(random.Random(on.toordinal()), today=on, radicular=radicular)
    answers["history"].update(history or {})
    if not radicular:  # nothing in how it started or at night that is a flag of its own
        answers["when"].update(mechanism="none", night_pain="none", previous_episodes="several")
    extra = {"episode": episode} if episode else {}
    return IntakeFactory(
        patient=patient,
        answers=answers,
        started_at=at - timedelta(minutes=10),
        submitted_at=at,
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
        **extra,
    )


def _discharged(family_name: str, *, on: date, with_discharge_packet: bool) -> Episode:
    """An episode discharged on `on` with a measured baseline and, if asked, a submitted
    discharge questionnaire (its discharge outcome)."""
    patient = PatientFactory(family_name=family_name, date_of_birth=date(1970, 1, 5))
    episode = EpisodeFactory(
        patient=patient,
        start_of_care=on - timedelta(days=40),
        discharged_on=on,
        discharge_reason=Episode.DischargeReason.GOALS_MET,
    )
    _intake(patient, at=_at(on - timedelta(days=40), 9), episode=episode)
    if with_discharge_packet:
        Intake.objects.create(
            patient=patient,
            episode=episode,
            kind=Intake.Kind.FOLLOW_UP,
            purpose=Intake.Purpose.DISCHARGE,
            due_on=on - timedelta(days=2),
            status=Intake.Status.SUBMITTED,
            started_at=_at(on - timedelta(days=1), 9),
            submitted_at=_at(on - timedelta(days=1), 10),
            answers={"pain": {"nprs_back_now": 1, "nprs_leg_now": 0}},
        )
    return episode


@pytest.fixture
def setting() -> Setting:
    clinic = Clinic.objects.current()
    clinic.phone, clinic.emergency_number = CLINIC_PHONE, EMERGENCY
    clinic.save()
    therapist = UserFactory(
        username="pt", first_name="Pat", last_name="Lee", roles=[Role.THERAPIST]
    )
    UserFactory(username="frontdesk", first_name="Dee", roles=[Role.FRONT_DESK])
    UserFactory(username="admin", first_name="Ada", roles=[Role.ADMINISTRATOR])
    now, today = timezone.now(), timezone.localdate()

    # Ana's first visit 11 days ago: a radicular intake naming three activities, and a
    # signed initial evaluation whose plan books a re-evaluation in 2 days and 2 weeks of
    # care: both questionnaires fall due today (3 days' lead).
    patient = PatientFactory(given_name="Ana", family_name="Núñez", date_of_birth=DOB)
    first = today - timedelta(days=11)
    answers = demo_answers(random.Random(7), today=first, radicular=True)
    answers["psfs"] = {"activities": [dict(a) for a in ACTIVITIES]}
    baseline = IntakeFactory(
        patient=patient,
        answers=answers,
        started_at=_at(first, 9),
        submitted_at=_at(first, 9) + timedelta(minutes=10),
        **demo_results(answers, date_of_birth=DOB, on=first),
    )
    demo_evaluation(
        patient=patient,
        intake=baseline,
        therapist=therapist,
        kind="initial",
        visit_date=first,
        vignette="L5",
        rng=random.Random(3),
        improvement=0.0,
        sign=True,
    )
    plan = PlanDates(visit_date=first, reeval_date=today + timedelta(days=2), weeks=2)
    packets = packets_plan(episode=baseline.episode, plan=plan, by=therapist, why="plan signed")
    by_purpose = {p.purpose: p for p in packets}
    assert {p.due_on for p in packets} == {today}, packets

    # Okafor's intake this morning reported a history of cancer: URGENT, still open.
    okafor = PatientFactory(family_name="Okafor", date_of_birth=date(1980, 5, 6))
    urgent_intake = _intake(okafor, at=now - URGENT_RAISED_AGO, history={"HX-CANCER": "yes"})
    assert urgent_intake.red_flag_level == "URGENT"
    urgent = raise_for_triage(
        urgent_intake,
        level="URGENT",
        ces=False,
        items=list(urgent_intake.triage["items"]),
        at=now - URGENT_RAISED_AGO,
    )
    # Diaz's intake: one low-specificity flag (MONITOR), its safety-net advice recorded.
    diaz = PatientFactory(family_name="Diaz", date_of_birth=date(1980, 5, 6))
    monitor_intake = _intake(diaz, at=now - MONITOR_RAISED_AGO, history={"HX-OSTEOPOROSIS": "yes"})
    assert monitor_intake.red_flag_level == "MONITOR"
    monitor = raise_for_triage(
        monitor_intake,
        level="MONITOR",
        ces=False,
        items=list(monitor_intake.triage["items"]),
        at=now - MONITOR_RAISED_AGO,
    )
    monitor = alert_disposition(
        alert=monitor,
        by=therapist,
        action="safety_net_advice",
        note="Told her what to watch for; handout given.",
        material="handout-warning-signs",
    )
    # Two episodes discharged this month, one with both outcomes; and, before the 30 days
    # the figures cover, an alert that must not be counted.
    complete = _discharged("Berg", on=today - timedelta(days=3), with_discharge_packet=True)
    _discharged("Cole", on=today - timedelta(days=2), with_discharge_packet=False)
    outside = raise_intake_alert(
        Intake.objects.first_visit().get(episode=complete),
        level="URGENT",
        ces=False,
        items=["HX-CANCER"],
        at=now - timedelta(days=45),
    )
    alert_disposition(alert=outside, by=therapist, action="imaging_requested", note="MRI booked")
    return Setting(
        patient=patient,
        reeval_packet=by_purpose[Intake.Purpose.REEVALUATION],
        discharge_packet=by_purpose[Intake.Purpose.DISCHARGE],
        urgent=urgent,
        monitor=monitor,
    )


class Screen:
    """Browsers of one size, each page's console errors kept, each check timed."""

    def __init__(self, browser: Browser, name: str, artifacts):
        self.browser, self.name, self.artifacts = browser, name, artifacts
        self.errors: dict[str, list[str]] = {}
        self.checking = 0.0

    def page(self, who: str) -> Page:
        page = self.browser.new_context(viewport=SCREENS[self.name], has_touch=True).new_page()
        page.set_default_timeout(10_000)
        errors = self.errors.setdefault(who, [])
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    def check(self, page: Page, shot: str) -> None:
        started = monotonic()
        check_tablet_rules(page)
        assert axe_violations(page) == [], shot
        page.screenshot(path=self.artifacts / f"followup-{self.name}-{shot}.png", full_page=True)
        remove_tool_styles(page)
        assert {who: e for who, e in self.errors.items() if e} == {}, shot
        self.checking += monotonic() - started


def choose(page: Page, field: str, label: str) -> None:
    page.locator(f'fieldset[data-field="{field}"]').get_by_text(label, exact=True).tap()


def next_screen(page: Page, title: str) -> None:
    page.get_by_test_id("next").tap()
    expect(page.get_by_test_id("step-title")).to_have_text(title)


def open_link(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("link-title")).to_have_text("How are you getting on?")
    page.get_by_label("Your date of birth").fill(DOB.isoformat())
    page.get_by_role("button", name="Start").tap()
    expect(page.get_by_test_id("step-title")).to_have_text("Your pain now")


def answer_up_to_red_flags(page: Page, check=None) -> None:
    check = check or (lambda shot: None)
    check("1-pain")
    for field, value in PAIN.items():
        choose(page, field, value)
    next_screen(page, "Your activities")
    expect(page.locator("main")).to_contain_text("Walking the dog")
    check("2-activities")
    for activity, score in RERATED.items():
        choose(page, f"score_{activity}", score)
    next_screen(page, "Since you started")
    check("3-change")
    choose(page, "grc", "Better")
    next_screen(page, "Important questions")


def settle(page: Page) -> None:
    """Wait for the alert banner's first load: it arrives just after the page and pushes
    everything below it down, so a tap aimed before then can land on the wrong thing."""
    page.wait_for_load_state("networkidle")


def create_link(desk: Page, live_server, packet: Intake) -> str:
    settle(desk)
    row = desk.get_by_test_id("followups-due").locator(f"[data-packet='{packet.public_id}']")
    row.get_by_test_id("packet-link").tap()
    expect(desk.get_by_role("heading", level=1)).to_have_text("One-time link for Ana Núñez")
    expect(desk.get_by_test_id("link-qr").locator("svg")).to_be_visible()
    url = desk.get_by_test_id("intake-link").input_value()
    assert url.startswith(f"{live_server.url}/kiosk/link/"), url
    return url


def words(span: timedelta) -> str:
    """A duration of under a day in the figures' words, worked out here."""
    hours, minutes = divmod(round(span.total_seconds() / 60), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


@pytest.mark.parametrize("screen_name", list(SCREENS))
def test_a_followup_packet_by_link_to_the_reevaluation_the_alerts_and_the_safety_figures(
    browser: Browser, live_server, setting: Setting, artifacts, screen_name
):
    screen = Screen(browser, screen_name, artifacts)
    today = timezone.localdate()
    patient = setting.patient

    # 1. The front desk's home lists both questionnaires due today; a link for each.
    desk = screen.page("front desk")
    sign_in(desk, live_server, "frontdesk")
    due = desk.get_by_test_id("followups-due")
    expect(due.get_by_test_id("packet-row")).to_have_count(2)
    expect(due).to_contain_text("Before the re-evaluation")
    expect(due).to_contain_text("Núñez, Ana")
    screen.check(desk, "0-desk-home")
    reeval_url = create_link(desk, live_server, setting.reeval_packet)
    screen.check(desk, "0-desk-link")
    desk.get_by_role("link", name="Done").tap()
    discharge_url = create_link(desk, live_server, setting.discharge_packet)
    assert discharge_url != reeval_url
    desk.context.close()
    assert Intake.objects.get(pk=setting.reeval_packet.pk).status == Intake.Status.IN_PROGRESS

    # 2. On the patient's own device, no staff session: every screen, timed.
    phone = screen.page("patient")
    started = monotonic()
    checked_before = screen.checking
    open_link(phone, reeval_url)
    answer_up_to_red_flags(phone, lambda shot: screen.check(phone, f"packet-{shot}"))
    screen.check(phone, "packet-4-redflags")
    for code in FOLLOW_UP_RED_FLAG_CODES:
        choose(phone, code, "No")
    next_screen(phone, "Check and send")
    expect(phone.locator("main")).to_contain_text("Walking the dog")
    screen.check(phone, "packet-5-review")
    phone.get_by_test_id("submit-intake").tap()
    expect(phone.get_by_test_id("intake-done")).to_be_visible()
    took = monotonic() - started - (screen.checking - checked_before)
    print(f"\n[{screen_name}] packet by link, from opening it to done: {took:.1f} s")
    assert took < 60, took  # the limit is 5 minutes
    screen.check(phone, "packet-6-done")
    phone.context.close()
    packet = Intake.objects.get(pk=setting.reeval_packet.pk)
    assert packet.status == Intake.Status.SUBMITTED and packet.red_flag_level == "NONE"
    assert packet.scores["grc"]["value"] == 2

    # 3. The therapist's re-evaluation opens with the patient's answers in its outcomes.
    pt = screen.page("therapist")
    sign_in(pt, live_server, "pt")
    pt.goto(f"{live_server.url}/patients/{patient.public_id}/")
    settle(pt)
    pt.get_by_role("button", name="Start re-evaluation").tap()
    expect(pt.get_by_role("heading", level=1)).to_contain_text("Re-evaluation")
    on = unbroken_date(today)
    expect(pt.get_by_test_id("outcomes-prefilled")).to_contain_text(
        f"Pre-filled from the patient's questionnaire of {on}"
    )
    expect(pt.get_by_test_id("outcomes-grc")).to_contain_text("Better (+2)")
    expect(pt.get_by_label("Back pain now, 0 to 10")).to_have_value(PAIN["nprs_back_now"])
    expect(pt.get_by_label("Leg pain now, 0 to 10")).to_have_value(PAIN["nprs_leg_now"])
    for name, value in (("back_now", PAIN["nprs_back_now"]), ("leg_now", PAIN["nprs_leg_now"])):
        expect(pt.get_by_test_id(f"reported-{name}")).to_have_text(
            f"Patient-reported on {on}: {value}"
        )
    for activity in ACTIVITIES:
        score = RERATED[activity["id"]]
        select = pt.locator(f"#id_outcomes-psfs_{activity['id']}")
        expect(select).to_have_value(score)
        expect(pt.locator(f"label[for='id_outcomes-psfs_{activity['id']}']")).to_contain_text(
            activity["name"]
        )
        expect(pt.get_by_test_id(f"reported-psfs_{activity['id']}")).to_have_text(
            f"Patient-reported on {on}: {score}"
        )
    screen.check(pt, "reevaluation")
    again = Evaluation.objects.get(episode=packet.episode, kind=Evaluation.Kind.REEVALUATION)
    assert again.content["outcomes"]["patient_reported"]["packet"] == str(packet.public_id)

    # 4. The discharge questionnaire: a bladder change stops it, with the numbers to
    # call, and the therapist's screen shows the alert without a reload.
    ces_banner = pt.get_by_test_id("red-flag-alert").filter(has_text="Possible cauda equina")
    expect(ces_banner).to_have_count(0)
    phone = screen.page("patient, discharge")
    open_link(phone, discharge_url)
    answer_up_to_red_flags(phone)
    tapped = monotonic()
    with phone.expect_response(lambda r: "/autosave/" in r.url and r.ok) as saving:
        choose(phone, "CES-3", "Yes")
    saving.value.finished()
    raised = monotonic()
    expect(ces_banner).to_be_visible(timeout=5000)
    seen = monotonic()
    print(f"[{screen_name}] banner latency: {seen - raised:.2f} s after the save returned")
    print(f"[{screen_name}] ({seen - tapped:.2f} s after the tap)")
    assert seen - raised < 5, (seen - raised, seen - tapped)
    expect(ces_banner).to_contain_text("(follow-up questionnaire)")
    expect(ces_banner).to_contain_text(patient.mrn)
    stop = phone.get_by_test_id("intake-stopped")
    expect(stop).to_contain_text("Please go to your nearest hospital emergency department now")
    expect(phone.get_by_test_id("call-clinic")).to_have_text(CLINIC_PHONE)
    expect(phone.get_by_test_id("call-clinic")).to_have_attribute("href", "tel:+442079460000")
    expect(phone.get_by_test_id("call-emergency")).to_have_text(EMERGENCY)
    expect(phone.get_by_test_id("call-emergency")).to_have_attribute("href", f"tel:{EMERGENCY}")
    screen.check(phone, "packet-stop")
    phone.context.close()
    assert Intake.objects.get(pk=setting.discharge_packet.pk).status == Intake.Status.STOPPED
    ces = RedFlagAlert.objects.get(intake=setting.discharge_packet)
    assert ces.level == "EMERGENCY" and ces.ces and ces.acknowledged_at is None

    # 5. The URGENT intake alert, dispositioned from the banner with an urgent action.
    urgent_banner = pt.get_by_test_id("red-flag-alert").filter(has_text="Urgent red flag")
    expect(urgent_banner).to_contain_text("Okafor")
    urgent_banner.get_by_role("link", name="Open alert").tap()
    expect(pt.get_by_test_id("alert-level")).to_have_text("Urgent")
    expect(pt.get_by_test_id("alert-source")).to_have_text("Intake")
    pt.get_by_label("Urgent (same-day) medical referral arranged").check()
    pt.get_by_label("Action taken, or your reasoning for a false positive").fill(
        "Phoned the GP: seen at 16:00 today for review and blood tests."
    )
    screen.check(pt, "urgent-alert")
    pt.get_by_test_id("acknowledge").tap()
    expect(pt.get_by_test_id("alert-acknowledged")).to_contain_text(
        "Urgent (same-day) medical referral arranged"
    )
    expect(urgent_banner).to_have_count(0, timeout=5000)
    expect(ces_banner).to_be_visible()  # still open: it stays
    pt.context.close()
    urgent = RedFlagAlert.objects.get(pk=setting.urgent.pk)
    assert urgent.outcome == "urgent_referral" and urgent.acknowledged_by.username == "pt"

    # 6. The administrator's figures for the last 30 days, against the alerts made here:
    # the packet's emergency (open), the urgent intake alert and the monitor one (both
    # dispositioned); the 45-day-old alert is outside the period.
    expected = {("EMERGENCY", "packet"): 1, ("URGENT", "intake"): 1, ("MONITOR", "intake"): 1}
    assert RedFlagAlert.objects.count() == 4
    durations = [urgent.acknowledged_at - urgent.raised_at]
    durations.append(setting.monitor.acknowledged_at - setting.monitor.raised_at)
    assert durations[0] > URGENT_RAISED_AGO and durations[1] > MONITOR_RAISED_AGO
    median, slowest = (durations[0] + durations[1]) / 2, max(durations)
    admin = screen.page("administrator")
    sign_in(admin, live_server, "admin")
    figures = admin.get_by_test_id("safety-figures")
    expect(figures).to_be_visible()
    expect(admin.get_by_test_id("figure-total")).to_have_text(str(sum(expected.values())))
    expect(admin.get_by_test_id("figure-open")).to_have_text("1")
    for level in ("EMERGENCY", "URGENT", "MONITOR"):
        level_total = sum(n for (lvl, _s), n in expected.items() if lvl == level)
        expect(admin.get_by_test_id(f"figure-{level}")).to_have_text(str(level_total))
        for source in ("intake", "packet", "note", "neuro_exam"):
            expect(admin.get_by_test_id(f"figure-{level}-{source}")).to_have_text(
                str(expected.get((level, source), 0))
            )
    for source in ("intake", "packet", "note", "neuro_exam"):
        source_total = sum(n for (_l, src), n in expected.items() if src == source)
        expect(admin.get_by_test_id(f"figure-source-{source}")).to_have_text(str(source_total))
    expect(admin.get_by_test_id("median-all")).to_have_text(words(median))
    expect(admin.get_by_test_id("slowest-all")).to_have_text(words(slowest))
    expect(admin.get_by_test_id("median-URGENT")).to_have_text(words(durations[0]))
    expect(admin.get_by_test_id("median-EMERGENCY")).to_have_text("—")
    # Berg's and Cole's episodes were discharged in the period; only Berg's has both ends.
    expect(admin.get_by_test_id("outcome-share")).to_have_text("50.0%")
    screen.check(admin, "admin-home")
    settle(admin)
    admin.get_by_test_id("figure-open").tap()
    expect(admin.locator("main")).to_contain_text(patient.mrn)
    expect(admin.locator("main")).not_to_contain_text("Okafor")
    screen.check(admin, "admin-open-alerts")
    # The list behind a figure names patients: viewing it is audited.
    assert AuditEvent.objects.filter(
        actor__username="admin",
        patient=patient,
        summary__startswith="Viewed the safety figures' list of",
    ).exists()
    admin.context.close()
