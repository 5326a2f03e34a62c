"""PDF benchmark against PostgreSQL and Redis: render time per document, our overhead over
plain WeasyPrint, and a 500-evaluation batch export on 1 and 2 Celery worker processes.

    uv run python bench/pdf.py [--database-url URL] [--runs N] [--export-size N]
                               [--redis-url URL] [--skip-export]

1. For each document kind, on realistic synthetic records (the demo vignettes built through
   the real forms): pages and the median/p95 of the full path a worker runs (load the
   record with its prefetches, build the context, render the template, WeasyPrint to
   PDF bytes), warm, in this process.
2. Overhead: that full path against WeasyPrint rendering the very same HTML straight
   (`HTML(string=...).write_pdf()`, our stylesheets inlined in a <style> element), so
   what we add (queries, context, template, fetcher) shows as a ratio.
3. Export: one batch export of --export-size evaluations (default 500) through Redis to a
   real worker started with --concurrency 1, then 2; wall time from the request to the
   finished ZIP, documents per second, the scaling, and each run's worker children's peak
   RSS sampled as the export goes, with the RSS at each quarter of the export to show it
   stays flat (children are recycled per CELERY_WORKER_MAX_*_PER_CHILD).

Targets (issue 5): the evaluation report under 300 ms median, overhead under 1.2x,
2 workers at least 1.7x one worker, worker memory flat. Exits 1 if a target is missed,
2 on error. See bench/README.md.
"""

import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench_pdf"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
VIGNETTES = ("L5", "S1", "somatic_extension", "stenosis")
TARGET_EVALUATION_MS = 300
TARGET_OVERHEAD = 1.2
TARGET_SCALING = 1.7


def _options(parser) -> None:
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--export-size", type=int, default=500)
    parser.add_argument("--skip-export", action="store_true")


def _environment(options) -> None:
    # The worker processes and this one share the broker, the database and the media folder.
    os.environ["REDIS_URL"] = options.redis_url
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "media" / "bench"))
    os.environ["REPORT_JOBS_MODE"] = "celery"


from bench._common import start  # noqa: E402

args = start(__doc__, DEFAULT_URL, runs=20, add_arguments=_options, before_setup=_environment)

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import Role  # noqa: E402
from care.demo import demo_episode  # noqa: E402
from core.models import Clinic  # noqa: E402
from evaluations.demo import demo_evaluation  # noqa: E402
from evaluations.models import Evaluation  # noqa: E402
from intake.demo import demo_answers, demo_results  # noqa: E402
from intake.models import Intake  # noqa: E402
from reports import pdf  # noqa: E402
from reports.documents import DOCUMENTS  # noqa: E402
from reports.models import ReportJob  # noqa: E402
from tests.factories import PatientFactory, UserFactory  # noqa: E402

# --- Data -----------------------------------------------------------------------------------


def _user(username: str, role: Role):
    from accounts.models import User

    return User.objects.filter(username=username).first() or UserFactory(
        username=username, first_name="Bench", last_name=username.title(), roles=[role]
    )


def _patient_with_history(therapist, rng: random.Random, vignette: str, visits: int):
    """A patient with a submitted intake, a signed initial evaluation and re-evaluations."""
    patient = PatientFactory()
    on = timezone.localdate() - timedelta(days=20 + 14 * visits)
    answers = demo_answers(rng, today=on, radicular=vignette != "somatic_extension")
    intake = Intake.objects.create(
        patient=patient,
        episode=demo_episode(patient=patient, on=on),
        status=Intake.Status.SUBMITTED,
        answers=answers,
        submitted_at=timezone.now() - timedelta(days=20 + 14 * visits),
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )
    made = []
    for n in range(visits):
        made.append(
            demo_evaluation(
                patient=patient,
                intake=intake,
                therapist=therapist,
                kind="initial" if n == 0 else "reevaluation",
                visit_date=on + timedelta(days=1 + 14 * n),
                vignette=vignette,
                rng=rng,
                improvement=min(0.3 * n, 1.0),
                sign=True,
            )
        )
    return intake, made


def seed(therapist, export_size: int) -> dict:
    """Records for the document timings, and at least `export_size` signed evaluations
    (4 vignettes over patients with 1 to 4 visits) for the export. Reused between runs."""
    rng = random.Random(2026)
    have = Evaluation.objects.filter(therapist=therapist).count()
    started = time.perf_counter()
    n = 0
    while have < export_size:
        _intake, made = _patient_with_history(therapist, rng, VIGNETTES[n % 4], 1 + n % 4)
        have += len(made)
        n += 1
    if n:
        print(f"seeded {have} evaluations in {time.perf_counter() - started:.1f} s")
    # A patient with three visits: the progress report shows three points per chart.
    third = (
        Evaluation.objects.filter(therapist=therapist, kind="reevaluation")
        .order_by("patient_id", "-visit_date")
        .select_related("intake")
    )
    for candidate in third[:200]:
        if Evaluation.objects.filter(patient_id=candidate.patient_id).count() >= 3:
            return {
                "evaluation": candidate,
                "intake": candidate.intake,
                "referral_letter": _letter(candidate, therapist),
            }
    raise SystemExit("seed did not make a patient with three visits")


def _letter(evaluation, therapist):
    """A referral letter from the evaluation, its plan made to ask for a surgical opinion
    (synthetic data: the record is re-hashed so it still verifies)."""
    from care.models import ReferralContact
    from evaluations import services
    from reports.letters import plan_referral, referral_letter_create

    if plan_referral(evaluation) is None:
        evaluation.content["plan"].update(
            referral=True,
            referral_to="spinal_surgeon",
            referral_urgency="urgent",
            referral_reason="Progressive weakness despite six weeks of care.",
        )
        evaluation.content_hash = services.content_hash(evaluation)
        evaluation.save(update_fields=["content", "content_hash"])
    contact = ReferralContact.objects.create(
        name="Dr Imran Shah", profession="Spinal surgeon", created_by=therapist
    )
    return referral_letter_create(
        evaluation=evaluation,
        addressed_to=contact,
        urgency="urgent",
        reason="Progressive weakness despite six weeks of care.",
        by=therapist,
    )


# --- 1 and 2: document timings and overhead ---------------------------------------------------


def plain_html(html: str, paper_size: str) -> str:
    """Our HTML with our stylesheets inlined, for WeasyPrint on its own."""
    from django.contrib.staticfiles import finders

    css = "\n".join(
        Path(finders.find(name)).read_text(encoding="utf-8") for name in pdf._stylesheet_names()
    )
    size = pdf.PAGE_SIZES[paper_size]
    style = f"<style>{css}\n@page {{ size: {size}; }}</style>"
    return re.sub(r"</head>", style + "</head>", html, count=1)


def time_documents(subjects: dict, runs: int) -> dict[str, dict]:
    from weasyprint import HTML

    clinic = Clinic.objects.current()
    results = {}
    print(
        f"\n{'document':<32} {'pages':>5} {'p50':>8} {'p95':>8} {'plain p50':>10} {'overhead':>9}"
    )
    for kind, doc in DOCUMENTS.items():
        subject_id = subjects[doc.subject].public_id
        for _ in range(3):  # warm: fonts, parsed CSS, template loaders, connection
            pdf.render_document(kind, doc.load(subject_id), clinic=clinic)
        ours, pages = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            rendered = pdf.render_document(kind, doc.load(subject_id), clinic=clinic)
            ours.append((time.perf_counter() - t) * 1000)
            pages = rendered.pages
        html = plain_html(
            pdf.render_html(kind, doc.load(subject_id), clinic=clinic), clinic.paper_size
        )
        HTML(string=html).write_pdf()
        plain = []
        for _ in range(runs):
            t = time.perf_counter()
            HTML(string=html).write_pdf()
            plain.append((time.perf_counter() - t) * 1000)
        row = {
            "pages": pages,
            "p50": statistics.median(ours),
            "p95": sorted(ours)[max(int(len(ours) * 0.95) - 1, 0)],
            "plain": statistics.median(plain),
        }
        row["overhead"] = row["p50"] / row["plain"]
        results[kind] = row
        print(
            f"{doc.label:<32} {pages:>5} {row['p50']:>6.0f}ms {row['p95']:>6.0f}ms "
            f"{row['plain']:>8.0f}ms {row['overhead']:>8.2f}x"
        )
    return results


# Names in the scripts the print fonts cover (static/reports/print.css), and an emoji in free
# text: a glyph the first font lacks sends the text to the next font in the stack, and a
# glyph no listed font has makes Pango search every installed font, so this row shows what
# the fallback costs.
SCRIPT_NAMES = (
    ("Zoë Ångström-Nuñez", "Łukasz Dvořák"),
    ("王秀英", "李"),
    ("さくら", "山田"),
    ("지민", "김"),
    ("فاطمة", "الحسن"),
    ("נועה", "כהן"),
    ("प्रिया", "शर्मा"),
)
SCRIPT_NOTE = "Walking 20 minutes a day 🙂; stop if it spreads 🚶"


def time_scripts(subjects: dict, runs: int) -> None:
    """The evaluation, progress report and handout for a patient whose name is in every
    script above, with an emoji in the therapist's notes; rolled back afterwards."""
    from django.db import transaction

    clinic = Clinic.objects.current()
    evaluation = subjects["evaluation"]
    print(f"\n{'every script (name and notes)':<32} {'pages':>5} {'p50':>8} {'p95':>8}")
    with transaction.atomic():
        patient = evaluation.patient
        patient.given_name = " ".join(g for g, _f in SCRIPT_NAMES)[:100]
        patient.family_name = " ".join(f for _g, f in SCRIPT_NAMES)[:100]
        patient.save()
        content = evaluation.content
        content["plan"]["hep"] = SCRIPT_NOTE
        content["outcomes"]["notes"] = SCRIPT_NOTE
        Evaluation.objects.filter(pk=evaluation.pk).update(content=content)
        for kind in ("evaluation", "progress", "handout"):
            doc = DOCUMENTS[kind]
            try:
                for _ in range(2):
                    pdf.render_document(kind, doc.load(evaluation.public_id), clinic=clinic)
            except pdf.RenderIncomplete as exc:  # a font missing: no PDF at all
                print(f"{doc.label:<32} fails: {exc.describe()}")
                continue
            times, pages = [], 0
            for _ in range(runs):
                t = time.perf_counter()
                rendered = pdf.render_document(kind, doc.load(evaluation.public_id), clinic=clinic)
                times.append((time.perf_counter() - t) * 1000)
                pages = rendered.pages
            p95 = sorted(times)[max(int(len(times) * 0.95) - 1, 0)]
            print(f"{doc.label:<32} {pages:>5} {statistics.median(times):>6.0f}ms {p95:>6.0f}ms")
        transaction.set_rollback(True)


# --- 3: the export on real workers ------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_export(admin, size: int, concurrency: int) -> dict:
    from reports import services

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": args.database_url,
    }
    worker = subprocess.Popen(  # noqa: S603 - our own worker command
        [
            sys.executable, "-m", "celery", "-A", "clinic", "worker", "--pool=prefork",
            f"--concurrency={concurrency}", "--loglevel=WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < concurrency and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the children finish importing before the clock starts
        ids = list(
            Evaluation.objects.filter(status="signed")
            .order_by("visit_date", "pk")
            .values_list("visit_date", flat=True)[:size]
        )
        request = services.ExportRequest(
            date_from=ids[0],
            date_to=ids[-1],
            therapist_ids=(),
            kinds=("evaluation",),
            include_csv=True,
            include_drafts=False,
        )
        started = time.perf_counter()
        job = services.export_request(request=request, by=admin)
        peaks: dict[int, float] = {}
        by_quarter: dict[int, float] = {}
        while True:
            job.refresh_from_db()
            from reports.runner import export_progress

            done = export_progress(job)
            now_rss = [_rss_mb(c) for c in _children(worker.pid)]
            for child in _children(worker.pid):
                peaks[child] = max(peaks.get(child, 0.0), _rss_mb(child))
            quarter = min(4, int(4 * done / max(job.total, 1)))
            if now_rss:
                by_quarter[quarter] = max(by_quarter.get(quarter, 0.0), max(now_rss))
            if job.status in ("succeeded", "failed"):
                break
            if time.perf_counter() - started > 900:
                raise SystemExit("export did not finish in 15 minutes")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        if job.status != "succeeded":
            raise SystemExit(f"export failed: {job.error}")
        return {
            "documents": job.total,
            "seconds": elapsed,
            "per_second": job.total / elapsed,
            "peak_mb": max(peaks.values()) if peaks else 0.0,
            "children": len(peaks),
            "quarters": [by_quarter.get(q, 0.0) for q in range(4)],
            "size_mb": (job.size or 0) / 1e6,
        }
    finally:
        import signal

        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def main() -> int:
    from django.conf import settings

    therapist = _user("bench-pt", Role.THERAPIST)
    admin = _user("bench-admin", Role.ADMINISTRATOR)
    subjects = seed(therapist, args.export_size)
    ReportJob.objects.filter(kind="export").delete()
    print(
        f"WeasyPrint {__import__('weasyprint').__version__}, paper "
        f"{Clinic.objects.current().paper_size}, database {connection.vendor}, runs {args.runs}"
    )
    docs = time_documents(subjects, args.runs)
    time_scripts(subjects, args.runs)
    failures = []
    if docs["evaluation"]["p50"] >= TARGET_EVALUATION_MS:
        failures.append(f"evaluation report p50 {docs['evaluation']['p50']:.0f} ms")
    worst = max(docs.values(), key=lambda r: r["overhead"])
    if worst["overhead"] >= TARGET_OVERHEAD:
        failures.append(f"overhead {worst['overhead']:.2f}x")

    if not args.skip_export:
        print(
            f"\nexport of {args.export_size} evaluation reports + outcome CSV "
            f"(parts of {settings.EXPORT_PART_SIZE}; children recycled after "
            f"{settings.CELERY_WORKER_MAX_TASKS_PER_CHILD} tasks or "
            f"{settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD // 1000} MB)"
        )
        runs = {}
        for concurrency in (1, 2):
            r = run_export(admin, args.export_size, concurrency)
            runs[concurrency] = r
            quarters = " / ".join(f"{mb:.0f}" for mb in r["quarters"])
            print(
                f"  {concurrency} worker process{'es' if concurrency > 1 else ''}: "
                f"{r['seconds']:6.1f} s, {r['per_second']:5.1f} documents/s, ZIP "
                f"{r['size_mb']:.1f} MB; children {r['children']}, peak RSS {r['peak_mb']:.0f} MB, "
                f"max RSS by quarter of the export {quarters} MB"
            )
        scaling = runs[2]["per_second"] / runs[1]["per_second"]
        print(f"  scaling, 2 workers over 1: {scaling:.2f}x")
        if scaling < TARGET_SCALING:
            failures.append(f"scaling {scaling:.2f}x")
        for c, r in runs.items():
            first, last = r["quarters"][0], r["quarters"][-1]
            if first and last > first * 1.5:
                failures.append(f"{c}-worker memory grew {first:.0f} -> {last:.0f} MB")
    if failures:
        print("\nMISSED: " + "; ".join(failures))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
