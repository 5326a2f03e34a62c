"""Synthetic demo data: a clinic, staff of every role, patients, intakes, evaluations,
treatment notes, follow-up questionnaires and red-flag alerts.

Each app builds its own part: the ground floor the clinic, staff and patients
(core/demo.py), intake its intakes, answers and scores (intake/demo.py) and its follow-up
questionnaires and alerts (intake/followup/demo.py), evaluations whole evaluations and
treatment notes (evaluations/demo.py). This command tells the demo's story
across them: who came in today, who has a few weeks of history, who was followed up. It
lives in the top app because it knows every app. Every person is made up by Faker from a
fixed seed. Refuses to run with DEBUG off unless --force, so a production database never
gets demo logins.
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from care.demo import demo_discharge, demo_episode
from care.models import Episode
from core.demo import demo_clinic, demo_loaded, demo_patients, demo_staff, demo_two_factor
from evaluations import services as evaluation_services
from evaluations.demo import demo_evaluation, demo_note
from evaluations.models import Evaluation
from intake.demo import demo_answers, demo_intake, demo_stopped_intake
from intake.followup.demo import Cast, Course, demo_followups
from intake.models import Intake

# Past patients (indices 10-29) with a few weeks of history: about a third are followed up
# with one or two re-evaluations, so "Progress over visits" has charts to draw, and a few
# signed treatment notes between the initial evaluation and the first re-evaluation; the
# demo therapist has today's note still unsigned in one of theirs. Two older patients
# present with neurogenic claudication.
FOLLOWED_UP = frozenset({10, 13, 16, 19, 22, 25})
STENOSIS = frozenset({15, 25})
# A patient treated about 14 months ago, discharged with goals met, who is back with a new
# sciatica: two episodes of care, the progress charts of each against its own intake.
RETURNING = 13
# The follow-up story (intake/followup/demo.py), by patient: questionnaires due today for
# three whose re-evaluation is close; overdue, one never handed over and one sent by link
# yesterday; answered with a fever (URGENT, dispositioned) and with constant night pain
# (MONITOR, for review); answered a few days before a re-evaluation still in draft, which
# it pre-fills; a first visit's MONITOR result reviewed with safety-net advice; and two
# registered patients not seen yet who come in with an urgent history (cancer this
# morning, still open; thin bones and steroids yesterday, escalated).
DUE_TODAY = (17, 18, 20)
OVERDUE, LINK_YESTERDAY = 14, 12
FEVER, NIGHT_PAIN = 15, 25
PREFILLED = 22  # followed up, even: the latest re-evaluation is left a draft
SAFETY_NETTED = 24
CANCER, FRACTURE = 30, 31


class Command(BaseCommand):
    help = "Load synthetic demo data (idempotent). Refuses with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=40)
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to load demo logins with DEBUG off (use --force).")
        if demo_loaded():
            # Demo databases made before two-factor sign-in get the demo apps too.
            demo_two_factor()
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            self._seed(options["patients"])
            demo_two_factor()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _seed(self, n_patients: int) -> None:
        fake = Faker(["en_GB", "en_US"])
        Faker.seed(2026)
        rng = random.Random(2026)  # noqa: S311  (synthetic demo data, not security)
        # Treatment notes draw from their own stream, so the rest of the demo is the same
        # with or without them.
        notes_rng = random.Random(2027)  # noqa: S311  (synthetic demo data)
        drafted = False  # the demo therapist's one unsigned note
        demo_clinic()
        staff = demo_staff()
        therapists = [staff["therapist"], staff["therapist2"]]
        patients = demo_patients(
            by=staff["frontdesk"], count=n_patients, fake=fake, rng=rng, older=STENOSIS
        )

        now = timezone.now()
        today_start = now.replace(hour=8, minute=0, second=0, microsecond=0)
        for i, patient in enumerate(patients):
            if i < 10:
                # Today's clinic: intakes started this morning, some submitted.
                started = min(today_start + timedelta(minutes=20 * i), now)
                submitted = i % 3 != 0
                answers = demo_answers(rng, today=now.date(), radicular=i % 4 != 3)
                if not submitted:
                    # Part-way through: the first screens answered.
                    answers = {k: answers[k] for k in ("about", "consent", "where")}
                intake = demo_intake(
                    patient=patient,
                    started_by=staff["frontdesk"],
                    started=started,
                    answers=answers,
                    submitted_after=timedelta(minutes=12) if submitted else None,
                    current_step="" if submitted else "feels",
                )
                if i == 9:
                    demo_stopped_intake(intake, therapist=staff["therapist"])
            elif i < 30:
                if i == RETURNING:
                    self._past_course(patient, staff, therapists[i % 2], notes_rng, now=now)
                days_ago = rng.randint(36, 60) if i in FOLLOWED_UP else rng.randint(1, 60)
                started = now - timedelta(days=days_ago, hours=rng.randint(0, 6))
                answers = demo_answers(rng, today=started.date(), radicular=i % 5 != 0)
                if i in STENOSIS:
                    answers["when"].update(
                        worse_with=["standing", "walking"],
                        better_with=["sitting", "bending"],
                        sitting_relief="yes",
                        cart_relief="yes",
                        walking="5_15",
                    )
                intake = demo_intake(
                    patient=patient,
                    started_by=staff["frontdesk"],
                    started=started,
                    answers=answers,
                    submitted_after=timedelta(minutes=15),
                )
                if i < 26:  # the rest still await evaluation
                    drafted |= self._demo_evaluations(
                        i,
                        patient,
                        intake,
                        therapists[i % 2],
                        rng,
                        notes_rng,
                        today=now.date(),
                        draft_note=not drafted and therapists[i % 2] == staff["therapist"],
                    )
        self._followups(patients, staff, now=now)

    def _followups(self, patients, staff, *, now) -> None:
        """Follow-up questionnaires and red-flag alerts on the records above, from their own
        random stream, so the rest of the demo is the same with or without them. The draft
        re-evaluation gets a questionnaire answered a few days before its visit, and is
        pre-filled from it as evaluation_start pre-fills a re-evaluation it opens. A
        smaller demo (--patients) leaves out the parts whose patients it does not have."""
        rng = random.Random(2028)  # noqa: S311  (synthetic demo data)
        cast = dict(enumerate(patients))

        def course(i: int) -> Course | None:
            latest = (
                Evaluation.objects.signed()
                .filter(patient=cast.get(i), episode__status=Episode.Status.OPEN)
                .select_related("episode")
                .order_by("-visit_date", "-signed_at")
                .first()
            )
            return Course(latest.episode, latest.signed_at) if latest else None

        draft = (
            Evaluation.objects.drafts()
            .filter(patient=cast.get(PREFILLED), kind=Evaluation.Kind.REEVALUATION)
            .select_related("episode")
            .first()
        )
        returning = cast.get(RETURNING)
        made = demo_followups(
            Cast(
                desk=staff["frontdesk"],
                therapist=staff["therapist"],
                due_today=[c for i in DUE_TODAY if (c := course(i))],
                overdue=course(OVERDUE),
                link_yesterday=course(LINK_YESTERDAY),
                fever=course(FEVER),
                night_pain=course(NIGHT_PAIN),
                before_draft=(draft.episode, draft.visit_date) if draft else None,
                discharged=returning.episodes.filter(status=Episode.Status.CLOSED).first()
                if returning
                else None,
                reviewed=self._reviewed(cast.get(SAFETY_NETTED)),
                cancer=cast.get(CANCER),
                fracture=cast.get(FRACTURE),
            ),
            rng=rng,
            now=now,
        )
        if draft is not None and "before_draft" in made:
            self._prefill(draft, made["before_draft"])

    def _reviewed(self, patient):
        """The patient's first-visit MONITOR result and a moment of the initial evaluation
        that reviewed it (before it was signed: an open alert would have stopped that)."""
        if patient is None:
            return None
        intake = (
            Intake.objects.first_visit()
            .filter(patient=patient, red_flag_level=Intake.RedFlagLevel.MONITOR)
            .first()
        )
        initial = (
            Evaluation.objects.signed().filter(intake=intake, kind=Evaluation.Kind.INITIAL).first()
            if intake
            else None
        )
        if initial is None:
            return None
        return intake, initial.created_at + (initial.signed_at - initial.created_at) / 2

    def _prefill(self, draft: Evaluation, packet) -> None:
        """The draft re-evaluation as the therapist left it before the patient's
        questionnaire came in (outcomes not typed yet), then the questionnaire's arrival,
        through the service that fills waiting drafts in."""
        content = {k: v for k, v in draft.content.items() if k != "outcomes"}
        drafts = {k: v for k, v in draft.drafts.items() if k != "outcomes"}
        Evaluation.objects.filter(pk=draft.pk).update(content=content, drafts=drafts)
        if not evaluation_services.evaluations_prefill_from(packet=packet):
            raise CommandError("The demo questionnaire did not pre-fill the draft re-evaluation.")

    def _past_course(self, patient, staff, therapist, notes_rng, *, now) -> None:
        """A finished course of care: intake, initial evaluation, treatment notes,
        re-evaluation, more notes and a signed discharge, 14 months ago. Its own random
        stream, so the rest of the demo is the same with or without it. The episode is
        closed once its visits are in (a note can only be started in an open one)."""
        rng = random.Random(2025)  # noqa: S311  (synthetic demo data)
        started = now - timedelta(days=425, hours=3)
        start = started.date()
        episode = demo_episode(patient=patient, on=start, by=staff["frontdesk"])
        intake = demo_intake(
            patient=patient,
            started_by=staff["frontdesk"],
            started=started,
            answers=demo_answers(rng, today=start, radicular=True),
            submitted_after=timedelta(minutes=14),
            episode=episode,
        )
        chart = intake.answers["where"]["chart"]
        vignette = "L5" if any(code.endswith("_l") for code in chart) else "S1"
        course = (
            (Evaluation.Kind.INITIAL, 1, 0.0, 3),
            (Evaluation.Kind.REEVALUATION, 23, 0.5, 2),
            (Evaluation.Kind.DISCHARGE, 47, 0.9, 0),
        )
        for n, (kind, days, improvement, notes) in enumerate(course):
            visit = start + timedelta(days=days)
            demo_evaluation(
                patient=patient,
                intake=intake,
                therapist=therapist,
                kind=kind,
                visit_date=visit,
                vignette=vignette,
                rng=rng,
                improvement=improvement,
                sign=True,
            )
            if notes:
                _, next_days, next_improvement, _ = course[n + 1]
                self._treatment_notes(
                    episode,
                    therapist,
                    notes_rng,
                    after=visit,
                    before=start + timedelta(days=next_days),
                    improvement=(improvement, next_improvement),
                    count=notes,
                )
        demo_discharge(
            episode, on=start + timedelta(days=47), reason=Episode.DischargeReason.GOALS_MET
        )
        episode.closed_by = staff["frontdesk"]
        episode.save(update_fields=["closed_by"])

    def _demo_evaluations(
        self, i, patient, intake, therapist, rng, notes_rng, *, today, draft_note
    ) -> bool:
        """A signed initial evaluation; for the followed-up patients, two to four signed
        treatment notes, then re-evaluations every three weeks or so with improving
        outcomes (the latest sometimes still a draft). With `draft_note`, a followed-up
        patient seen before today also has today's treatment note, not signed yet.
        Returns whether it added that draft."""
        chart = intake.answers["where"]["chart"]
        if i in STENOSIS:
            vignette = "stenosis"
        elif i % 5 == 0:  # the intake drew somatic pain (radicular=False)
            vignette = "somatic_extension"
        else:  # radicular: the level on the side the leg pain was drawn
            vignette = "L5" if any(code.endswith("_l") for code in chart) else "S1"
        visit = min(intake.submitted_at.date() + timedelta(days=rng.randint(0, 2)), today)
        visits = [(Evaluation.Kind.INITIAL, visit, 0.0)]
        if i in FOLLOWED_UP:
            for improvement in (0.45, 0.8):
                visit += timedelta(days=rng.randint(18, 24))
                if visit > today:
                    break
                visits.append((Evaluation.Kind.REEVALUATION, visit, improvement))
        for n, (kind, visit_date, improvement) in enumerate(visits, start=1):
            last = n == len(visits)
            evaluation = demo_evaluation(
                patient=patient,
                intake=intake,
                therapist=therapist,
                kind=kind,
                visit_date=visit_date,
                vignette=vignette,
                rng=rng,
                improvement=improvement,
                sign=not (last and n > 1 and i % 2 == 0),
            )
            if i in FOLLOWED_UP and n == 1:
                # The treatment visits up to the first re-evaluation.
                _, before, reached = visits[1] if len(visits) > 1 else (None, today, 0.45)
                self._treatment_notes(
                    evaluation.episode,
                    therapist,
                    notes_rng,
                    after=visit_date,
                    before=before,
                    improvement=(0.0, reached),
                    count=notes_rng.randint(2, 4),
                )
        if not (draft_note and i in FOLLOWED_UP and visits[-1][1] < today):
            return False
        demo_note(
            episode=evaluation.episode,
            therapist=therapist,
            visit_date=today,
            rng=notes_rng,
            improvement=min(1.0, visits[-1][2] + 0.1),
            sign=False,
        )
        return True

    def _treatment_notes(
        self,
        episode,
        therapist,
        rng,
        *,
        after: date,
        before: date,
        improvement: tuple[float, float],
        count: int,
    ) -> None:
        """`count` signed treatment notes on days strictly between two visits (fewer if
        there are not enough days), improvement rising from the one to the other."""
        gap = (before - after).days
        low, high = improvement
        for day in sorted(rng.sample(range(1, gap), min(count, max(gap - 1, 0)))):
            demo_note(
                episode=episode,
                therapist=therapist,
                visit_date=after + timedelta(days=day),
                rng=rng,
                improvement=low + (high - low) * day / gap,
            )
