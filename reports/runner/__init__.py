"""What report tasks do: claim a job (or an export part), render, write the file, finish.

reports.tasks calls these; they never call the tasks or the services back. Where a job has
a next step (the last part of an export done, or parts to render again), the runner sends
it by name through reports.dispatch.

    claims.py        a run's claim: run ids, heartbeats, fences, giving work back, failing
    files.py         where files go, written atomically, trusted only as recorded
    document_job.py  one document: claim, render, write, finish
    export_parts.py  an export's parts: claim, render what is not verified, progress
    export_zip.py    an export's ZIP, manifest and outcome CSV, and its audit entries

Every run claims its work in a short transaction and stamps it with a run id (the Celery
task id); writes after the claim are fenced by it, so a run that lost its claim cannot
overwrite the result of the run that took over. While a run works, a thread of its own
stamps its heartbeat every few seconds (REPORT_HEARTBEAT_SECONDS), however long one
document takes; a run silent for REPORT_STALE_SECONDS is dead, and the sweep
(reports.services.jobs_sweep) hands its work on within seconds.

The names below are the runner's public face, for callers that read the runner as one
thing (its tests); code inside reports imports from the module that defines each.
"""

from reports.runner.claims import (
    MAX_ATTEMPTS,
    TRANSIENT_ERRORS,
    fail_after_retries,
)
from reports.runner.claims import fail as _fail
from reports.runner.document_job import claim_job, run_document_job
from reports.runner.export_parts import (
    claim_part,
    export_progress,
    job_activity,
    paused_seconds,
    run_export_part,
)
from reports.runner.export_zip import run_export_finish
from reports.runner.files import item_stem, parts_dir, reports_root

__all__ = [
    "MAX_ATTEMPTS",
    "TRANSIENT_ERRORS",
    "_fail",  # the name the fencing tests (tests/reports/test_jobs.py) know it by
    "claim_job",
    "claim_part",
    "export_progress",
    "fail_after_retries",
    "item_stem",
    "job_activity",
    "parts_dir",
    "paused_seconds",
    "reports_root",
    "run_document_job",
    "run_export_finish",
    "run_export_part",
]
