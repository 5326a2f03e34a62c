"""Clinic settings, Translations: the clinic's consent and privacy wording in each patient
language, and its record that a product translation was reviewed (core.languages).

Writes go through the two services here; each is atomic and audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.languages import PRODUCT_TRANSLATION_VERSIONS, english_name, patient_languages
from core.models import Clinic, ClinicWording, ConsentWording, TranslationApproval


class ClinicWordingForm(forms.Form):
    consent_version = forms.CharField(
        label=_("Consent version"),
        max_length=40,
        help_text=_(
            "Each consent signed in this language records this version. Change it "
            "whenever you change the wording."
        ),
    )
    consent_text = forms.CharField(
        label=_("Consent text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text=_(
            "The treatment consent the patient signs, in this language. Use wording "
            "your clinic's counsel approved."
        ),
    )
    privacy_notice = forms.CharField(
        label=_("Privacy notice"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )

    def __init__(self, *args, current: ConsentWording, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "consent_version": current.consent_version,
                "consent_text": current.consent_text,
                "privacy_notice": current.privacy_notice,
            },
        )
        super().__init__(*args, **kwargs)
        self.current = current

    def clean(self):
        cleaned = super().clean() or {}
        changed = (
            cleaned.get("consent_text", self.current.consent_text) != self.current.consent_text
            or cleaned.get("privacy_notice", self.current.privacy_notice)
            != self.current.privacy_notice
        )
        if changed and cleaned.get("consent_version") == self.current.consent_version:
            self.add_error(
                "consent_version",
                gettext(
                    "You changed the wording: give it a new version, so signatures under the "
                    "old wording stay distinguishable."
                ),
            )
        return cleaned


class TranslationApprovalForm(forms.Form):
    translator = forms.CharField(
        label=_("Qualified medical translator"),
        max_length=200,
        help_text=_("Name and credential."),
    )
    clinician = forms.CharField(
        label=_("Clinician"),
        max_length=200,
        help_text=_("Name and role of the reviewing clinician."),
    )
    approved_on = forms.DateField(
        label=_("Reviewed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean_approved_on(self) -> datetime.date:
        value = self.cleaned_data["approved_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(gettext("The review date cannot be in the future."))
        return value


@dataclass(frozen=True)
class LanguageStatus:
    """One patient language as the Translations page shows it."""

    code: str
    name: str
    version: str
    approval: TranslationApproval | None
    history: list[TranslationApproval]
    wording: ConsentWording
    own_wording: bool


def language_statuses(clinic: Clinic) -> list[LanguageStatus]:
    """Every patient language but English (the source text): two queries in all."""
    codes = [c for c in patient_languages() if c != "en"]
    approvals = list(
        TranslationApproval.objects.filter(language__in=codes)
        .select_related("recorded_by")
        .order_by("-approved_on", "-recorded_at")
    )
    own = {w.language for w in ClinicWording.objects.filter(language__in=codes)}
    out = []
    for code in codes:
        version = PRODUCT_TRANSLATION_VERSIONS.get(code, "")
        mine = [a for a in approvals if a.language == code]
        out.append(
            LanguageStatus(
                code=code,
                name=english_name(code),
                version=version,
                approval=next((a for a in mine if a.version == version), None),
                history=mine,
                wording=clinic.wording(code),
                own_wording=code in own,
            )
        )
    return out


@transaction.atomic
def clinic_wording_save(
    *, language: str, consent_version: str, consent_text: str, privacy_notice: str, by: User
) -> ClinicWording:
    row, created = ClinicWording.objects.update_or_create(
        language=language,
        defaults={
            "consent_version": consent_version,
            "consent_text": consent_text,
            "privacy_notice": privacy_notice,
            "updated_by": by,
        },
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=row,
        summary=f"Set the consent and privacy wording in {english_name(language)} "
        f"(version {consent_version})",
        details={"language": language, "consent_version": consent_version},
    )
    return row


@transaction.atomic
def translation_approval_record(
    *,
    language: str,
    translator: str,
    clinician: str,
    approved_on: datetime.date,
    notes: str,
    by: User,
) -> TranslationApproval:
    """Record that the product translation in use for `language` was reviewed; it covers
    that version only, so a new version of the translation needs its own review."""
    version = PRODUCT_TRANSLATION_VERSIONS[language]
    approval = TranslationApproval.objects.create(
        language=language,
        version=version,
        translator=translator,
        clinician=clinician,
        approved_on=approved_on,
        notes=notes,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=approval,
        summary=f"Recorded the review of the {english_name(language)} translation "
        f"({version}) by {translator} and {clinician}",
        details={"language": language, "version": version, "approved_on": str(approved_on)},
    )
    return approval
