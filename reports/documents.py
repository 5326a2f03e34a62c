"""The PDF documents the clinic can print: what each is about, who may see it, how its
subject is loaded and turned into template context, and how a file is named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from django.db.models import Model
from django.utils import timezone

from reports.docs import evaluation as evaluation_doc
from reports.docs import handout as handout_doc
from reports.docs import intake as intake_doc
from reports.docs import progress as progress_doc
from reports.docs import referral_letter as letter_doc

if TYPE_CHECKING:
    from patients.models import Patient


# The record a document is made from (an Intake, an Evaluation): each kind's functions
# take the very model its `load` returns.
Subject = TypeVar("Subject", bound=Model)


@dataclass(frozen=True)
class DocumentKind(Generic[Subject]):
    key: str  # "intake_summary" | "evaluation" | "progress" | "handout" | "referral_letter"
    label: str
    subject: str  # "intake" | "evaluation" | "referral_letter"
    template: str
    permission: str
    # The subject by public_id, with everything the document reads prefetched.
    load: Callable[[UUID], Subject]
    # The document's own context: title, patient, draft, signature, notices and its keys.
    context: Callable[[Subject, object], dict]
    # Changes whenever the rendered content would change: jobs for the same version reuse.
    version: Callable[[Subject], str]
    # "" when the document can be made, else a reason a person can read.
    unavailable: Callable[[Subject], str]
    # A document for the patient: the language it prints in ("es"). None: the staff's
    # (English), whatever language the request or task runs in.
    language: Callable[[Subject], str] | None = None


# Callers pick a kind by its key at run time: which model its subject is, only the kind
# knows.
DOCUMENTS: dict[str, DocumentKind[Any]] = {
    kind.key: kind
    for kind in (
        DocumentKind(
            key="intake_summary",
            label="Intake summary",
            subject="intake",
            template="reports/pdf/intake_summary.html",
            permission="intake.view_intake_clinical",
            load=intake_doc.load_intake,
            context=intake_doc.intake_context,
            version=intake_doc.intake_version,
            unavailable=intake_doc.intake_unavailable,
        ),
        DocumentKind(
            key="evaluation",
            label="Evaluation and plan of care",
            subject="evaluation",
            template="reports/pdf/evaluation.html",
            permission="evaluations.view_evaluation",
            load=evaluation_doc.load_evaluation,
            context=evaluation_doc.evaluation_context,
            version=evaluation_doc.evaluation_version,
            unavailable=evaluation_doc.evaluation_unavailable,
        ),
        DocumentKind(
            key="progress",
            label="Progress report",
            subject="evaluation",
            template="reports/pdf/progress.html",
            permission="evaluations.view_evaluation",
            load=evaluation_doc.load_evaluation,
            context=progress_doc.progress_context,
            # The report covers the earlier visits too, so its version does.
            version=progress_doc.progress_version,
            unavailable=progress_doc.progress_unavailable,
        ),
        DocumentKind(
            key="handout",
            label="Patient handout",
            subject="evaluation",
            template="reports/pdf/handout.html",
            permission="evaluations.view_evaluation",
            load=handout_doc.load_handout,
            context=handout_doc.handout_context,
            version=handout_doc.handout_version,
            unavailable=handout_doc.handout_unavailable,
            language=handout_doc.handout_language,
        ),
        DocumentKind(
            key="referral_letter",
            label="Referral letter",
            # A ReferralLetter (reports.letters), by its public id.
            subject="referral_letter",
            template="reports/pdf/referral_letter.html",
            permission="reports.view_referralletter",
            load=letter_doc.load_letter,
            context=letter_doc.letter_context,
            version=letter_doc.letter_version,
            unavailable=letter_doc.letter_unavailable,
        ),
    )
}


def patient_of(subject) -> Patient:
    """The patient a document is about: every subject (intake, evaluation, letter) has
    one."""
    return subject.patient


def document_label(kind: str, subject) -> str:
    """The label to show for one document: a progress report on a discharge evaluation is
    a discharge report."""
    if kind == "progress" and getattr(subject, "kind", "") == "discharge":
        return "Discharge report"
    return DOCUMENTS[kind].label


def _document_date(subject):
    if hasattr(subject, "visit_date"):
        return subject.visit_date
    if not hasattr(subject, "started_at"):  # a letter: the day it was written
        return timezone.localdate(subject.created_at)
    when = getattr(subject, "submitted_at", None) or subject.started_at
    return timezone.localdate(when)


def filename(kind: str, subject) -> str:
    """e.g. "evaluation-MRN12345674-2026-11-21.pdf": the MRN, kind and date, never the
    patient's name (file names end up in download folders, mail and logs)."""
    slug = {"intake_summary": "intake-summary", "referral_letter": "referral-letter"}.get(
        kind, kind
    )
    if document_label(kind, subject) == "Discharge report":
        slug = "discharge"
    return f"{slug}-MRN{patient_of(subject).mrn}-{_document_date(subject):%Y-%m-%d}.pdf"
