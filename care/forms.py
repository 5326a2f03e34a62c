"""The episode of care's forms. They check what a form can check alone (a date, a choice,
a code's shape and whether it is loaded); the rules between records (one open episode,
discharge after the start) are the services', whose ValidationErrors the views attach to
these fields with add_errors()."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from care import icd10
from care.models import DiagnosisCode, Episode, ReferralContact
from care.services import CONTACT_FIELDS, diagnosis_codes_check
from core.dates import BoundedDateField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NEW_CONTACT = "new"
DIAGNOSIS_INPUTS = 6
DATE_WIDGET = {"type": "date"}


def _date(
    label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = ""
) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=dict(DATE_WIDGET), format="%Y-%m-%d"),
    )


def add_errors(form: forms.BaseForm, exc: ValidationError, *, default: str | None = None) -> None:
    """Attach a service's errors to the fields they name; the rest beside `default` (or
    to the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else default, errors)
    else:
        form.add_error(default, exc)


def _no_autocomplete(form: forms.BaseForm) -> None:
    # Browsers must not remember what was typed on a shared tablet.
    for field in form.fields.values():
        field.widget.attrs.setdefault("autocomplete", "off")


class ReferralContactForm(forms.ModelForm):
    """A referring clinician: on its own page, and inline (prefix "contact") when an
    episode is opened or its referral edited with someone not yet in the list."""

    class Meta:
        model = ReferralContact
        fields = CONTACT_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "fax": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_autocomplete(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("name", css_class="col-md-6"),
                Div("profession", css_class="col-md-6"),
                css_class="row",
            ),
            "organisation",
            Div(
                Div("phone", css_class="col-md-4"),
                Div("fax", css_class="col-md-4"),
                Div("secure_address", css_class="col-md-4"),
                css_class="row",
            ),
        )


class ReferralForm(forms.Form):
    """Who referred the patient (or direct access), when and why; and the start of care."""

    start_of_care = _date(_("Start of care"), required=True)
    referral = forms.ChoiceField(
        label=_("Referral"),
        choices=[
            (Episode.Referral.REFERRED, _("Referred by a clinician")),
            (Episode.Referral.DIRECT, _("Direct access (no referral)")),
        ],
        widget=forms.RadioSelect,
    )
    referrer = forms.ChoiceField(
        label=_("Referring clinician"),
        required=False,
        help_text=_("Choose from the clinic's contacts, or add a new one below."),
    )
    referral_date = _date(_("Referral date"))
    referral_reason = forms.CharField(
        label=_("Reason for referral"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, contact_prefix: str = "contact", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact_prefix = contact_prefix
        contacts = ReferralContact.objects.values_list("public_id", "name", "organisation")
        cast(forms.ChoiceField, self.fields["referrer"]).choices = [
            ("", "—"),
            (NEW_CONTACT, gettext("A new referring clinician (details below)")),
            *((str(pid), f"{name}, {org}" if org else name) for pid, name, org in contacts),
        ]
        self.fields["start_of_care"].widget.attrs["max"] = timezone.localdate().isoformat()
        _no_autocomplete(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("start_of_care", css_class="col-md-4"),
                Div("referral", css_class="col-md-8"),
                css_class="row",
            ),
            Div(
                Div("referrer", css_class="col-md-8"),
                Div("referral_date", css_class="col-md-4"),
                css_class="row",
            ),
            "referral_reason",
        )

    @property
    def wants_new_contact(self) -> bool:
        """Whether the referral names a clinician typed in the inline contact form."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return (
            data.get("referral") == Episode.Referral.REFERRED
            and data.get("referrer") == NEW_CONTACT
        )

    def clean_referrer(self) -> str | ReferralContact | None:
        value = self.cleaned_data.get("referrer") or ""
        if value in ("", NEW_CONTACT):
            return value
        try:
            public_id = uuid.UUID(value)
        except ValueError:
            raise ValidationError(gettext("Choose a clinician from the list.")) from None
        contact = ReferralContact.objects.filter(public_id=public_id).first()
        if contact is None:
            raise ValidationError(gettext("That clinician is no longer in the list: choose again."))
        return contact

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        referred = cleaned.get("referral") == Episode.Referral.REFERRED
        typed_name = str(self.data.get(f"{self.contact_prefix}-name", "")).strip()
        if referred and "referrer" not in self.errors and not cleaned.get("referrer"):
            if typed_name:
                # A new clinician's name typed without choosing "new" from the list.
                cleaned["referrer"] = NEW_CONTACT
            else:
                self.add_error(
                    "referrer", gettext("Choose the referring clinician, or record direct access.")
                )
        return cleaned

    def referral_data(self, *, new_contact: ReferralContact | None = None) -> dict[str, Any]:
        """What the services take: the referrer a contact or None."""
        data = {k: self.cleaned_data[k] for k in ("start_of_care", "referral", "referral_date")}
        data["referral_reason"] = self.cleaned_data["referral_reason"].strip()
        referrer = self.cleaned_data.get("referrer")
        if data["referral"] != Episode.Referral.REFERRED:
            # Direct access: nobody referred, so there is no referrer or referral date.
            data["referrer"] = None
            data["referral_date"] = None
        elif referrer == NEW_CONTACT:
            data["referrer"] = new_contact
        else:
            data["referrer"] = referrer or None
        return data

    @classmethod
    def initial_for(cls, episode: Episode) -> dict[str, Any]:
        return {
            "start_of_care": episode.start_of_care,
            # A referral "not recorded" (records from before episodes) is asked again.
            "referral": episode.referral
            if episode.referral != Episode.Referral.NOT_RECORDED
            else None,
            "referrer": str(episode.referrer.public_id) if episode.referrer else "",
            "referral_date": episode.referral_date,
            "referral_reason": episode.referral_reason,
        }


class EpisodeOpenForm(ReferralForm):
    """Opening an episode: the referral's fields, the start of care today by default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_of_care": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CertificationForm(forms.Form):
    """The plan of care's certification by the referrer."""

    plan_sent_on = _date(_("Plan of care sent to the referrer"))
    plan_signed_on = _date(_("Signed plan received"))
    certification_start = _date(_("Certification period from"))
    certification_end = _date(_("Certification period to"))
    recertification_due = _date(_("Recertification due"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_autocomplete(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("plan_sent_on", css_class="col-md-6"),
                Div("plan_signed_on", css_class="col-md-6"),
                css_class="row",
            ),
            Fieldset(
                gettext("Certification period"),
                Div(
                    Div("certification_start", css_class="col-md-4"),
                    Div("certification_end", css_class="col-md-4"),
                    Div("recertification_due", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("certification_start"), cleaned.get("certification_end")
        if start and end and end < start:
            self.add_error(
                "certification_end", gettext("The certification period must end after it starts.")
            )
        return cleaned

    @classmethod
    def initial_for(cls, episode: Episode) -> dict[str, Any]:
        return {name: getattr(episode, name) for name in cls.base_fields}


def code_field_names() -> list[str]:
    return [f"code_{n}" for n in range(1, DIAGNOSIS_INPUTS + 1)]


class DiagnosesForm(forms.Form):
    """Up to six ICD-10-CM codes, the first the primary. Each box says beside it when its
    code is malformed, not in the clinic's code list, or already given above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, name in enumerate(code_field_names(), start=1):
            self.fields[name] = forms.CharField(
                label=gettext("Primary diagnosis")
                if n == 1
                else gettext("Diagnosis %(number)s") % {"number": n},
                required=False,
                max_length=20,
                widget=forms.TextInput(
                    attrs={
                        "list": "icd10-options",
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "autocapitalize": "characters",
                        "placeholder": gettext("e.g. M54.16") if n == 1 else "",
                        # The datalist follows what is typed (care:codes).
                        "hx-get": reverse("care:codes"),
                        "hx-trigger": "input changed delay:250ms",
                        "hx-target": "#icd10-options",
                        "hx-swap": "innerHTML",
                        "hx-sync": "this:replace",
                    }
                ),
            )
        self.chosen: list[DiagnosisCode] = []
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, str] = {}
        for name in code_field_names():
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            code = icd10.normalise(text)
            if code is not None and code in seen:
                self.add_error(name, gettext("%(code)s is already given above.") % {"code": code})
                continue
            try:
                (row,) = diagnosis_codes_check([text])
            except ValidationError as exc:
                self.add_error(name, exc)
                continue
            seen[row.code] = name
            self.chosen.append(row)
        return cleaned

    def codes(self) -> list[str]:
        return [row.code for row in self.chosen]

    @classmethod
    def initial_for(cls, episode: Episode) -> dict[str, Any]:
        rows = list(episode.diagnoses.select_related("code"))
        return {name: row.code.code for name, row in zip(code_field_names(), rows, strict=False)}


class DischargeForm(forms.Form):
    discharged_on = _date(_("Discharged on"), required=True)
    discharge_reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—"), *Episode.DischargeReason.choices],
    )
    discharge_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is other."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"discharged_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["discharged_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        _no_autocomplete(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("discharged_on", css_class="col-md-4"),
                Div("discharge_reason", css_class="col-md-8"),
                css_class="row",
            ),
            "discharge_note",
        )
